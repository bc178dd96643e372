//! Which variable names look like they hold a secret (shared by SG-DF-006 and
//! SG-K8S-016).

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
];

const POINTER_SUFFIXES: &[&str] = &["FILE", "PATH", "DIR", "URL", "ID", "NAME"];

/// Whether `name` looks like it holds a secret.
pub(crate) fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    if POINTER_SUFFIXES.contains(last) {
        return false;
    }
    (words.len() > 1 && *last == "KEY") || words.iter().any(|w| SECRET_WORDS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::secret_name;

    #[test]
    fn names() {
        for name in [
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "api_key",
            "AWS_SECRET_ACCESS_KEY",
            "NPM_TOKEN",
            "SECRET",
            "PRIVATE_KEY",
            "MYSQL_ROOT_PASS",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "PASSWORD_FILE",
            "TOKEN_URL",
            "KEY",
            "PATH",
            "PWD",
            "NODE_ENV",
            "KEYCLOAK_HOST",
            "AWS_ACCESS_KEY_ID",
            "SECRET_NAME",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }
}
