//! A registry client for the OCI distribution API, on blocking `reqwest` with rustls:
//! anonymous, basic and bearer-challenge auth, retries with backoff on 5xx/429 (honouring
//! `Retry-After`) and on connection failures, a timeout per request, plain HTTP only for
//! loopback registries unless `insecure`.
//!
//! Manifests are pushed and pulled as exact bytes, so digests never change on the way.

pub mod auth;
mod body;

use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

use oci_spec::image::{Descriptor, ImageIndex};
use reqwest::StatusCode;
use reqwest::blocking::{Body, RequestBuilder, Response};
use reqwest::header::{self, HeaderMap};
use shipgate_core::image_ref::{Digest, ImageRef};

pub use self::auth::{CredentialSource, Credentials, Secret};
pub(crate) use self::body::{BlobBody, VerifyingReader};
use crate::layout::parse_json;
use crate::{
    Error, MEDIA_TYPE_DOCKER_LIST, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_OCI_INDEX,
    MEDIA_TYPE_OCI_MANIFEST, Result, referrers,
};

/// How a [`Client`] talks to registries.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Plain HTTP for every registry (otherwise only loopback registries use it).
    pub insecure: bool,
    /// Timeout of one request without a body to stream; blob uploads and downloads get
    /// this much per request plus one second per MiB.
    pub timeout: Duration,
    /// How many times a request is tried in all (at least 1).
    pub attempts: u32,
    /// The first backoff; it doubles per attempt up to [`ClientOptions::max_backoff`].
    pub backoff: Duration,
    /// The longest wait between attempts, `Retry-After` included.
    pub max_backoff: Duration,
    /// Where credentials come from.
    pub credentials: CredentialSource,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            insecure: false,
            timeout: Duration::from_secs(60),
            attempts: 5,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(20),
            credentials: CredentialSource::anonymous(),
        }
    }
}

/// What a request needs from the registry's token service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Read the repository.
    Pull,
    /// Read and write the repository.
    Push,
}

#[derive(Clone, PartialEq, Eq)]
enum Auth {
    Basic(Credentials),
    Bearer(Secret),
}

/// A manifest or index as the registry stores it.
#[derive(Debug, Clone)]
pub struct RemoteManifest {
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// The `Content-Type` the registry gave.
    pub media_type: String,
    /// The sha256 of the bytes.
    pub digest: Digest,
}

impl RemoteManifest {
    /// A descriptor for the manifest.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor::new(
            self.media_type.as_str().into(),
            self.bytes.len() as u64,
            crate::digest::to_spec(&self.digest),
        )
    }
}

/// What the registry said to a manifest push.
#[derive(Debug, Clone)]
pub struct PutManifest {
    /// Whether the registry answered with `OCI-Subject`, i.e. it indexes referrers itself.
    pub subject_indexed: bool,
}

/// A client for one or more registries. Cheap to share between threads.
pub struct Client {
    http: reqwest::blocking::Client,
    options: ClientOptions,
    auth: Mutex<HashMap<(String, String), Auth>>,
    authenticating: Mutex<()>,
    credentials: Mutex<HashMap<String, Option<Credentials>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("insecure", &self.options.insecure)
            .field("timeout", &self.options.timeout)
            .field("attempts", &self.options.attempts)
            .finish_non_exhaustive()
    }
}

/// Accepted manifest media types, most preferred first.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

impl Client {
    /// A client with `options`.
    pub fn new(options: ClientOptions) -> Result<Self> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(concat!("shipgate/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeout.min(Duration::from_secs(30)))
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .map_err(|e| Error::RegistryUnreachable {
                registry: "(any)".to_owned(),
                message: format!("cannot set up the HTTP client: {e}"),
            })?;
        Ok(Self {
            http,
            options,
            auth: Mutex::new(HashMap::new()),
            authenticating: Mutex::new(()),
            credentials: Mutex::new(HashMap::new()),
        })
    }

    /// The options it was made with.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// `http(s)://HOST/v2/NAME`.
    fn base(&self, image: &ImageRef) -> String {
        format!("{}/v2/{}", self.origin(image), image.repository())
    }

    fn origin(&self, image: &ImageRef) -> String {
        let scheme = if self.options.insecure || image.is_loopback_registry() {
            "http"
        } else {
            "https"
        };
        let host = match image.registry() {
            "docker.io" => "registry-1.docker.io",
            other => other,
        };
        format!("{scheme}://{host}")
    }

    fn scope(image: &ImageRef, access: Access) -> String {
        match access {
            Access::Pull => format!("repository:{}:pull", image.repository()),
            Access::Push => format!("repository:{}:pull,push", image.repository()),
        }
    }

    fn lookup_credentials(&self, registry: &str) -> Result<Option<Credentials>> {
        let mut cache = self.credentials.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = cache.get(registry) {
            return Ok(found.clone());
        }
        let found = self.options.credentials.lookup(registry)?;
        cache.insert(registry.to_owned(), found.clone());
        Ok(found)
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .options
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        retry_after
            .unwrap_or(exponential)
            .min(self.options.max_backoff)
    }

    /// Sends a request built by `build` (called again for every attempt), authenticating
    /// on a 401 challenge and retrying transport failures, 429 and 5xx.
    fn send(
        &self,
        image: &ImageRef,
        access: Access,
        extra_scopes: &[String],
        operation: &str,
        build: &dyn Fn(&reqwest::blocking::Client) -> RequestBuilder,
    ) -> Result<Response> {
        let registry = image.registry().to_owned();
        let mut scopes = vec![Self::scope(image, access)];
        scopes.extend(extra_scopes.iter().cloned());
        let key = (registry.clone(), scopes.join(" "));
        let attempts = self.options.attempts.max(1);
        let mut attempt = 0;
        let mut authenticated = false;
        loop {
            attempt += 1;
            // The client's timeout applies unless `build` set a longer one (blob transfers).
            let mut request = build(&self.http);
            let cached = self.cached(&key);
            if let Some(auth) = &cached {
                request = apply_auth(request, auth);
            }
            match request.send() {
                Err(error) => {
                    if attempt < attempts && is_retryable(&error) {
                        std::thread::sleep(self.backoff(attempt, None));
                        continue;
                    }
                    return Err(Error::RegistryUnreachable {
                        registry,
                        message: shipgate_core::diagnostic::error_chain(&error),
                    });
                }
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED => {
                    let challenge = response
                        .headers()
                        .get(header::WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let mut text = registry_message(response);
                    if authenticated {
                        if let (true, Some(auth)) =
                            (text == StatusCode::UNAUTHORIZED.to_string(), &cached)
                        {
                            // A HEAD answer has no body: ask `/v2/` for the registry's words.
                            text = self.refusal_text(image, auth).unwrap_or(text);
                        }
                        return Err(Error::RegistryAuth {
                            registry,
                            message: text,
                        });
                    }
                    authenticated = true;
                    attempt -= 1;
                    let Some(challenge) = challenge else {
                        return Err(Error::RegistryAuth {
                            registry,
                            message: text,
                        });
                    };
                    // One token request at a time: parallel uploads that all met the
                    // challenge reuse the token the first of them fetched.
                    let _single = self
                        .authenticating
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    let current = self.cached(&key);
                    if current.is_some() && current != cached {
                        continue;
                    }
                    let auth = self.authenticate(&registry, &challenge, &scopes, &text)?;
                    let mut cache = self.auth.lock().unwrap_or_else(|e| e.into_inner());
                    if matches!(auth, Auth::Basic(_)) {
                        // Basic credentials hold for every repository of the registry.
                        cache.insert((registry.clone(), String::new()), auth.clone());
                    }
                    cache.insert(key.clone(), auth);
                }
                Ok(response) if is_retryable_status(response.status()) && attempt < attempts => {
                    let retry_after = retry_after(response.headers());
                    drop(response);
                    std::thread::sleep(self.backoff(attempt, retry_after));
                }
                Ok(response) if is_retryable_status(response.status()) => {
                    let status = response.status().as_u16();
                    return Err(Error::Registry {
                        registry,
                        operation: operation.to_owned(),
                        status,
                        message: registry_message(response),
                    });
                }
                Ok(response) => return Ok(response),
            }
        }
    }

    /// The error text of `GET /v2/` with `auth`, when the registry refuses it.
    fn refusal_text(&self, image: &ImageRef, auth: &Auth) -> Option<String> {
        let url = format!("{}/v2/", self.origin(image));
        let request = self.http.get(url).timeout(self.options.timeout);
        let response = apply_auth(request, auth).send().ok()?;
        (response.status() == StatusCode::UNAUTHORIZED).then(|| registry_message(response))
    }

    /// Answers a `WWW-Authenticate` challenge: basic credentials, or a bearer token from
    /// the realm the challenge names.
    fn authenticate(
        &self,
        registry: &str,
        challenge: &str,
        scopes: &[String],
        denied: &str,
    ) -> Result<Auth> {
        let credentials = self.lookup_credentials(registry)?;
        let refused = |message: String| Error::RegistryAuth {
            registry: registry.to_owned(),
            message,
        };
        let (scheme, params) = parse_challenge(challenge);
        if scheme.eq_ignore_ascii_case("basic") {
            return credentials
                .map(Auth::Basic)
                .ok_or_else(|| refused(format!("{denied} (no credentials found for {registry})")));
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(refused(format!(
                "unsupported auth scheme `{scheme}`: {denied}"
            )));
        }
        let realm = params
            .get("realm")
            .ok_or_else(|| refused("the bearer challenge names no realm".to_owned()))?;
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(service) = params.get("service") {
            query.push(("service", service.clone()));
        }
        let mut all_scopes: Vec<String> = scopes.to_vec();
        if let Some(scope) = params.get("scope")
            && !all_scopes.contains(scope)
        {
            all_scopes.push(scope.clone());
        }
        for scope in all_scopes {
            query.push(("scope", scope));
        }
        let attempts = self.options.attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .get(realm.as_str())
                .query(&query)
                .timeout(self.options.timeout);
            if let Some(credentials) = &credentials {
                request =
                    request.basic_auth(&credentials.username, Some(credentials.password.expose()));
            }
            let response = match request.send() {
                Ok(response) => response,
                Err(error) if attempt < attempts && is_retryable(&error) => {
                    std::thread::sleep(self.backoff(attempt, None));
                    continue;
                }
                Err(error) => {
                    return Err(Error::RegistryUnreachable {
                        registry: registry.to_owned(),
                        message: format!(
                            "token service {realm}: {}",
                            shipgate_core::diagnostic::error_chain(&error)
                        ),
                    });
                }
            };
            let status = response.status();
            if is_retryable_status(status) && attempt < attempts {
                let wait = retry_after(response.headers());
                std::thread::sleep(self.backoff(attempt, wait));
                continue;
            }
            if !status.is_success() {
                return Err(refused(registry_message(response)));
            }
            #[derive(serde::Deserialize)]
            struct Token {
                token: Option<String>,
                access_token: Option<String>,
            }
            let body = response.bytes().unwrap_or_default();
            let token: Token = serde_json::from_slice(&body)
                .map_err(|e| refused(format!("the token service answered no token: {e}")))?;
            let token = token
                .token
                .or(token.access_token)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| refused("the token service answered no token".to_owned()))?;
            return Ok(Auth::Bearer(Secret::new(token)));
        }
    }

    /// Whether the repository has the blob (`HEAD /v2/NAME/blobs/DIGEST`).
    pub fn blob_exists(&self, image: &ImageRef, digest: &Digest) -> Result<bool> {
        let url = format!("{}/blobs/{digest}", self.base(image));
        let operation = format!("HEAD blob {digest}");
        let response = self.send(image, Access::Push, &[], &operation, &|http| {
            http.head(&url)
        })?;
        match response.status() {
            status if status.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.failure(image, &operation, response)),
        }
    }

    /// Mounts a blob from another repository of the same registry. `false` when the
    /// registry did not mount it (the caller uploads it instead).
    pub fn mount_blob(&self, image: &ImageRef, digest: &Digest, from: &ImageRef) -> Result<bool> {
        let url = format!(
            "{}/blobs/uploads/?mount={digest}&from={}",
            self.base(image),
            from.repository()
        );
        let operation = format!("mount blob {digest}");
        let scopes = [Self::scope(from, Access::Pull)];
        let response = self.send(image, Access::Push, &scopes, &operation, &|http| {
            http.post(&url).header(header::CONTENT_LENGTH, "0")
        })?;
        if response.status() == StatusCode::CREATED {
            return Ok(true);
        }
        // A 202 opened an upload session instead; cancel it, the caller uploads.
        if response.status() == StatusCode::ACCEPTED
            && let Some(location) = location(&response, &self.origin(image))
            && same_origin(&location, &self.origin(image))
        {
            let _ = self.send(image, Access::Push, &[], "cancel upload", &|http| {
                http.delete(&location)
            });
        }
        Ok(false)
    }

    /// Uploads one blob. `open` gives the content (called again for every attempt); a
    /// stream that fails its digest check ends the upload with that error, which is
    /// never retried.
    pub(crate) fn upload_blob(
        &self,
        image: &ImageRef,
        digest: &Digest,
        size: u64,
        open: &dyn Fn() -> Result<BlobBody>,
    ) -> Result<()> {
        let attempts = self.options.attempts.max(1);
        let operation = format!("upload blob {digest}");
        let start_url = format!("{}/blobs/uploads/", self.base(image));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = self.send(image, Access::Push, &[], &operation, &|http| {
                http.post(&start_url).header(header::CONTENT_LENGTH, "0")
            })?;
            if started.status() != StatusCode::ACCEPTED {
                return Err(self.failure(image, &operation, started));
            }
            let Some(location) = location(&started, &self.origin(image)) else {
                return Err(Error::Registry {
                    registry: image.registry().to_owned(),
                    operation,
                    status: started.status().as_u16(),
                    message: "the registry gave no upload Location".to_owned(),
                });
            };
            drop(started);
            let separator = if location.contains('?') { '&' } else { '?' };
            let put_url = format!("{location}{separator}digest={digest}");
            let blob = open()?;
            let failure = blob.failure.clone();
            let timeout = self.options.timeout + Duration::from_secs(size / (1024 * 1024));
            // Credentials go only back to the registry itself: an upload Location on another
            // host or scheme (a storage service, a downgrade to http) gets none.
            let auth = self
                .cached_auth(image, Access::Push)
                .filter(|_| same_origin(&put_url, &self.origin(image)));
            let mut request = self
                .http
                .put(&put_url)
                .timeout(timeout)
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .body(Body::sized(blob.reader, size));
            if let Some(auth) = &auth {
                request = apply_auth(request, auth);
            }
            let result = request.send();
            if let Some(error) = failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Err(error);
            }
            let retryable = match result {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) if is_retryable_status(response.status()) && attempt < attempts => {
                    let wait = retry_after(response.headers());
                    std::thread::sleep(self.backoff(attempt, wait));
                    true
                }
                // A token that expired during a long upload: the next session's POST
                // meets the challenge again and renews it.
                Ok(response)
                    if response.status() == StatusCode::UNAUTHORIZED && attempt < attempts =>
                {
                    self.auth
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&(
                            image.registry().to_owned(),
                            Self::scope(image, Access::Push),
                        ));
                    true
                }
                Ok(response) => return Err(self.failure(image, &operation, response)),
                Err(error) if attempt < attempts && is_retryable(&error) => {
                    std::thread::sleep(self.backoff(attempt, None));
                    true
                }
                Err(error) => {
                    return Err(Error::RegistryUnreachable {
                        registry: image.registry().to_owned(),
                        message: format!(
                            "{operation}: {}",
                            shipgate_core::diagnostic::error_chain(&error)
                        ),
                    });
                }
            };
            debug_assert!(retryable);
        }
    }

    fn cached_auth(&self, image: &ImageRef, access: Access) -> Option<Auth> {
        self.cached(&(image.registry().to_owned(), Self::scope(image, access)))
    }

    /// The auth known for `key` (registry, scopes), or the registry's basic credentials.
    fn cached(&self, key: &(String, String)) -> Option<Auth> {
        let cache = self.auth.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(key)
            .or_else(|| cache.get(&(key.0.clone(), String::new())))
            .cloned()
    }

    /// Opens a blob for reading (`GET /v2/NAME/blobs/DIGEST`); the stream is not checked.
    pub fn get_blob(&self, image: &ImageRef, digest: &Digest, size: u64) -> Result<Response> {
        let url = format!("{}/blobs/{digest}", self.base(image));
        let operation = format!("GET blob {digest}");
        let timeout = self.options.timeout + Duration::from_secs(size / (1024 * 1024));
        let response = self.send(image, Access::Pull, &[], &operation, &|http| {
            http.get(&url).timeout(timeout)
        })?;
        if response.status() == StatusCode::NOT_FOUND {
            return Err(Error::RegistryNotFound {
                reference: format!("{}@{digest}", image.name()),
                message: registry_message(response),
            });
        }
        if !response.status().is_success() {
            return Err(self.failure(image, &operation, response));
        }
        Ok(response)
    }

    /// Reads a manifest or index by tag or digest; `None` when the registry has none.
    /// The bytes are checked against the digest when `reference` is one.
    pub fn get_manifest(
        &self,
        image: &ImageRef,
        reference: &str,
    ) -> Result<Option<RemoteManifest>> {
        let url = format!("{}/manifests/{reference}", self.base(image));
        let operation = format!("GET manifest {reference}");
        let response = self.send(image, Access::Pull, &[], &operation, &|http| {
            http.get(&url).header(header::ACCEPT, MANIFEST_ACCEPT)
        })?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(self.failure(image, &operation, response));
        }
        let media_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned());
        let mut bytes = Vec::new();
        let mut response = response;
        response
            .read_to_end(&mut bytes)
            .map_err(|e| Error::RegistryUnreachable {
                registry: image.registry().to_owned(),
                message: format!("{operation}: {e}"),
            })?;
        let media_type = media_type
            .filter(|m| is_manifest_type(m))
            .or_else(|| media_type_in(&bytes))
            .unwrap_or_else(|| MEDIA_TYPE_OCI_MANIFEST.to_owned());
        let digest = crate::digest::sha256(&bytes);
        if let Ok(expected) = Digest::parse(reference)
            && expected != digest
        {
            return Err(Error::DigestMismatch {
                file: format!("{}@{reference}", image.name()),
                expected: expected.to_string(),
                actual: digest.to_string(),
            });
        }
        Ok(Some(RemoteManifest {
            bytes,
            media_type,
            digest,
        }))
    }

    /// Pushes a manifest or index exactly as `bytes` under `reference` (a tag or its digest).
    pub fn put_manifest(
        &self,
        image: &ImageRef,
        reference: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<PutManifest> {
        let url = format!("{}/manifests/{reference}", self.base(image));
        let operation = format!("PUT manifest {}:{reference}", image.repository());
        let response = self.send(image, Access::Push, &[], &operation, &|http| {
            http.put(&url)
                .header(header::CONTENT_TYPE, media_type)
                .body(bytes.to_vec())
        })?;
        if !response.status().is_success() {
            return Err(self.failure(image, &operation, response));
        }
        Ok(PutManifest {
            subject_indexed: response.headers().contains_key("oci-subject"),
        })
    }

    /// The referrers of `subject`: through the referrers API, or from the fallback tag
    /// index (`sha256-<hex>`) when the registry has no API. Only those of
    /// `artifact_type` when given.
    pub fn referrers(
        &self,
        image: &ImageRef,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>> {
        let mut url = format!("{}/referrers/{subject}", self.base(image));
        if let Some(artifact_type) = artifact_type {
            url.push_str("?artifactType=");
            url.push_str(&artifact_type.replace('+', "%2B"));
        }
        let operation = format!("GET referrers {subject}");
        let response = self.send(image, Access::Pull, &[], &operation, &|http| {
            http.get(&url).header(header::ACCEPT, MEDIA_TYPE_OCI_INDEX)
        })?;
        let is_index = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(MEDIA_TYPE_OCI_INDEX));
        let descriptors = if response.status().is_success() && is_index {
            let mut response = response;
            let mut bytes = Vec::new();
            response
                .read_to_end(&mut bytes)
                .map_err(|e| Error::RegistryUnreachable {
                    registry: image.registry().to_owned(),
                    message: format!("{operation}: {e}"),
                })?;
            let file = format!("{}/referrers/{subject}", image.name());
            let index: ImageIndex = parse_json(&bytes, "referrers list", &file, None)?;
            index.manifests().clone()
        } else if matches!(
            response.status(),
            StatusCode::NOT_FOUND
                | StatusCode::BAD_REQUEST
                | StatusCode::METHOD_NOT_ALLOWED
                | StatusCode::NOT_IMPLEMENTED
        ) || response.status().is_success()
        {
            drop(response);
            self.fallback_referrers(image, subject)?
                .map(|index| index.manifests().clone())
                .unwrap_or_default()
        } else {
            return Err(self.failure(image, &operation, response));
        };
        Ok(descriptors
            .into_iter()
            .filter(|d| {
                artifact_type.is_none_or(|wanted| {
                    d.artifact_type()
                        .as_ref()
                        .is_some_and(|t| t.to_string() == wanted)
                })
            })
            .collect())
    }

    /// The fallback referrers index of `subject`, if the registry has one.
    pub fn fallback_referrers(
        &self,
        image: &ImageRef,
        subject: &Digest,
    ) -> Result<Option<ImageIndex>> {
        let tag = referrers::fallback_tag(subject);
        let Some(found) = self.get_manifest(image, &tag)? else {
            return Ok(None);
        };
        let file = format!("{}:{tag}", image.name());
        let index: ImageIndex = parse_json(&found.bytes, "referrers index", &file, None)?;
        Ok(Some(index))
    }

    /// Adds `descriptors` to the fallback referrers index of `subject` (read, merge, write),
    /// keeping each descriptor's artifact type and annotations.
    pub fn update_fallback_index(
        &self,
        image: &ImageRef,
        subject: &Digest,
        descriptors: Vec<Descriptor>,
    ) -> Result<()> {
        let existing = self.fallback_referrers(image, subject)?;
        let updated = referrers::fallback_index(existing.as_ref(), descriptors);
        if existing.as_ref().map(|e| e.manifests()) == Some(updated.manifests()) {
            return Ok(());
        }
        let bytes = referrers::fallback_index_bytes(&updated);
        self.put_manifest(
            image,
            &referrers::fallback_tag(subject),
            &bytes,
            MEDIA_TYPE_OCI_INDEX,
        )?;
        Ok(())
    }

    fn failure(&self, image: &ImageRef, operation: &str, response: Response) -> Error {
        let status = response.status();
        let registry = image.registry().to_owned();
        let message = registry_message(response);
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Error::RegistryAuth { registry, message }
            }
            _ => Error::Registry {
                registry,
                operation: operation.to_owned(),
                status: status.as_u16(),
                message,
            },
        }
    }
}

fn apply_auth(request: RequestBuilder, auth: &Auth) -> RequestBuilder {
    match auth {
        Auth::Basic(credentials) => {
            request.basic_auth(&credentials.username, Some(credentials.password.expose()))
        }
        Auth::Bearer(token) => request.bearer_auth(token.expose()),
    }
}

/// Whether `url` is on `origin` (`scheme://host[:port]`) exactly.
fn same_origin(url: &str, origin: &str) -> bool {
    url.strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn location(response: &Response, origin: &str) -> Option<String> {
    let value = response.headers().get(header::LOCATION)?.to_str().ok()?;
    if value.starts_with("http://") || value.starts_with("https://") {
        Some(value.to_owned())
    } else if value.starts_with('/') {
        Some(format!("{origin}{value}"))
    } else {
        None
    }
}

fn is_manifest_type(media_type: &str) -> bool {
    matches!(
        media_type,
        MEDIA_TYPE_OCI_INDEX
            | MEDIA_TYPE_OCI_MANIFEST
            | MEDIA_TYPE_DOCKER_LIST
            | MEDIA_TYPE_DOCKER_MANIFEST
    )
}

/// The `mediaType` field of a manifest's JSON.
fn media_type_in(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
    }
    serde_json::from_slice::<Probe>(bytes).ok()?.media_type
}

fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED)
}

fn is_retryable(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
}

/// `Retry-After` in seconds (HTTP dates are treated as "soon").
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    match value.parse::<u64>() {
        Ok(seconds) => Some(Duration::from_secs(seconds)),
        Err(_) => Some(Duration::from_secs(1)),
    }
}

/// The registry's own error text: the OCI error list (`CODE: message`), or the body.
fn registry_message(response: Response) -> String {
    let status = response.status();
    let body = response.text().unwrap_or_default();
    message_from_body(status, &body)
}

fn message_from_body(status: StatusCode, body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<OneError>,
    }
    #[derive(serde::Deserialize)]
    struct OneError {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(parsed) = serde_json::from_str::<Errors>(body)
        && !parsed.errors.is_empty()
    {
        return parsed
            .errors
            .iter()
            .map(|e| match (e.code.is_empty(), e.message.is_empty()) {
                (false, false) => format!("{}: {}", e.code, e.message),
                (false, true) => e.code.clone(),
                _ => e.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    let body = body.trim();
    if body.is_empty() {
        return status.to_string();
    }
    let mut text: String = body.chars().take(500).collect();
    if text.len() < body.len() {
        text.push('…');
    }
    text
}

/// Splits `Bearer realm="…",service="…",scope="…"` into the scheme and its parameters.
fn parse_challenge(challenge: &str) -> (String, HashMap<String, String>) {
    let challenge = challenge.trim();
    let (scheme, rest) = challenge.split_once(' ').unwrap_or((challenge, ""));
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut escaped = false;
            for c in chars.by_ref() {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    (_, c) => {
                        value.push(c);
                        escaped = false;
                    }
                }
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    (scheme.to_owned(), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_on_the_registry_origin() {
        let origin = "https://ghcr.io";
        assert!(same_origin(
            "https://ghcr.io/v2/a/blobs/uploads/1?x",
            origin
        ));
        assert!(!same_origin("http://ghcr.io/v2/a/blobs/uploads/1", origin));
        assert!(!same_origin("https://ghcr.io.evil.example/v2/", origin));
        assert!(!same_origin("https://storage.example/upload", origin));
    }

    #[test]
    fn bearer_challenges_parse() {
        let (scheme, params) = parse_challenge(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(scheme, "Bearer");
        assert_eq!(params["realm"], "https://ghcr.io/token");
        assert_eq!(params["service"], "ghcr.io");
        assert_eq!(params["scope"], "repository:a/b:pull,push");
        let (scheme, params) = parse_challenge(r#"Basic realm="shipgate-test""#);
        assert_eq!(
            (scheme.as_str(), params["realm"].as_str()),
            ("Basic", "shipgate-test")
        );
    }

    #[test]
    fn registry_errors_keep_their_text() {
        let body = r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#;
        assert_eq!(
            message_from_body(StatusCode::UNAUTHORIZED, body),
            "UNAUTHORIZED: authentication required"
        );
        assert_eq!(
            message_from_body(StatusCode::BAD_GATEWAY, ""),
            "502 Bad Gateway"
        );
        assert_eq!(
            message_from_body(StatusCode::BAD_GATEWAY, " oops \n"),
            "oops"
        );
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let client = Client::new(ClientOptions {
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..ClientOptions::default()
        })
        .unwrap();
        assert_eq!(client.backoff(1, None), Duration::from_millis(100));
        assert_eq!(client.backoff(2, None), Duration::from_millis(200));
        assert_eq!(client.backoff(3, None), Duration::from_millis(300));
        assert_eq!(
            client.backoff(1, Some(Duration::from_secs(9))),
            Duration::from_millis(300)
        );
    }

    #[test]
    fn plain_http_only_for_loopback_unless_insecure() {
        let client = Client::new(ClientOptions::default()).unwrap();
        let local = shipgate_core::image_ref::parse("127.0.0.1:5000/a:1").unwrap();
        let remote = shipgate_core::image_ref::parse("ghcr.io/a/b:1").unwrap();
        assert_eq!(client.origin(&local), "http://127.0.0.1:5000");
        assert_eq!(client.origin(&remote), "https://ghcr.io");
        let insecure = Client::new(ClientOptions {
            insecure: true,
            ..ClientOptions::default()
        })
        .unwrap();
        assert_eq!(insecure.origin(&remote), "http://ghcr.io");
    }
}
