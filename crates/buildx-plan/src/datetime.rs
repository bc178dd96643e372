//! Instants, time zones and the subset of moment.js formatting that `{{date}}` and
//! `{{commit_date}}` use.
//!
//! No date library: an instant is milliseconds since the Unix epoch, calendar fields come
//! from Howard Hinnant's `civil_from_days`. Time zones: `UTC`/`GMT`/`Etc/…` and fixed
//! offsets (`+05:30`) are built in; IANA names (`Europe/Paris`) are read from the system's
//! tz database (`/usr/share/zoneinfo`, or `$TZDIR`), including the POSIX rule at the end
//! of a TZif file for instants after its last transition.

use std::path::PathBuf;

/// Milliseconds since 1970-01-01T00:00:00Z.
pub(crate) type Millis = i64;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Calendar fields of an instant seen at a UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    milli: i64,
    /// 0 = Sunday.
    weekday: i64,
    /// 1-based day of the year.
    yday: i64,
    offset_secs: i64,
}

fn fields(ms: Millis, offset_secs: i64) -> Fields {
    let local = ms + offset_secs * 1000;
    let days = local.div_euclid(86_400_000);
    let in_day = local.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Fields {
        year,
        month,
        day,
        hour: in_day / 3_600_000,
        minute: in_day / 60_000 % 60,
        second: in_day / 1000 % 60,
        milli: in_day % 1000,
        weekday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1) + 1,
        offset_secs,
    }
}

/// Parses an RFC 3339 / ISO 8601 timestamp with a `Z` or `±hh:mm` offset
/// (`2026-11-23T10:00:00Z`, `2026-11-23 10:00:00.5+01:00`).
pub(crate) fn parse_rfc3339(text: &str) -> Option<Millis> {
    let text = text.trim();
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &frac[..digits.min(3)]);
        millis = padded.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    let offset = parse_offset(rest)?;
    let days = days_from_civil(year, month, day);
    Some(
        days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second.min(59) * 1000 + millis
            - offset * 1000,
    )
}

/// `Z`, `+hh:mm`, `+hhmm` or `+hh` as seconds east of UTC.
fn parse_offset(text: &str) -> Option<i64> {
    if text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

/// `toISOString()`: `2026-11-23T10:00:00.000Z`.
pub(crate) fn iso_utc(ms: Millis) -> String {
    let f = fields(ms, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        f.year, f.month, f.day, f.hour, f.minute, f.second, f.milli
    )
}

/// A time zone: a fixed offset, or rules read from the tz database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tz {
    /// A fixed offset in seconds east of UTC, with the name moment prints for `z`.
    Fixed(i64, String),
    /// A zone of the tz database.
    Rules(Box<TzRules>),
}

/// The transitions of a tz database zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TzRules {
    transitions: Vec<(i64, i64, String)>,
    initial: (i64, String),
    footer: Option<PosixTz>,
}

impl Tz {
    /// UTC.
    pub(crate) fn utc() -> Self {
        Self::Fixed(0, "UTC".to_owned())
    }

    /// The zone named `name` as moment-timezone spells it: `UTC`, `Etc/GMT-2`,
    /// `Europe/Paris`; also fixed offsets `+05:30`.
    pub(crate) fn parse(name: &str) -> Result<Self, String> {
        let name = name.trim();
        if matches!(
            name.to_ascii_uppercase().as_str(),
            "UTC"
                | "GMT"
                | "Z"
                | "ZULU"
                | "UCT"
                | "UNIVERSAL"
                | "ETC/UTC"
                | "ETC/GMT"
                | "ETC/UCT"
                | "ETC/UNIVERSAL"
                | "ETC/ZULU"
                | "GMT0"
                | "ETC/GMT0"
                | "GMT+0"
                | "GMT-0"
                | "ETC/GMT+0"
                | "ETC/GMT-0"
        ) {
            return Ok(Self::utc());
        }
        if let Some(offset) = parse_offset(name) {
            return Ok(Self::Fixed(offset, name.to_owned()));
        }
        // Etc/GMT+5 is five hours *west* of Greenwich (POSIX sign).
        if let Some(hours) = name
            .strip_prefix("Etc/GMT")
            .and_then(|h| h.parse::<i64>().ok())
            .filter(|h| (-14..=12).contains(h))
        {
            return Ok(Self::Fixed(-hours * 3600, name.to_owned()));
        }
        let valid_name = !name.is_empty()
            && !name.starts_with('/')
            && name
                .split('/')
                .all(|part| !part.is_empty() && part != ".." && part != ".")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        let unknown = || {
            format!(
                "unknown time zone `{name}` (use UTC, an offset like +02:00, or an IANA name from the tz database)"
            )
        };
        if !valid_name {
            return Err(unknown());
        }
        let dir = std::env::var_os("TZDIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/share/zoneinfo"));
        let bytes = fs_err::read(dir.join(name)).map_err(|_| unknown())?;
        let rules = parse_tzif(&bytes).ok_or_else(unknown)?;
        Ok(Self::Rules(Box::new(rules)))
    }

    /// The offset (seconds east of UTC) and abbreviation in force at `ms`.
    fn offset_at(&self, ms: Millis) -> (i64, String) {
        match self {
            Self::Fixed(offset, name) => (*offset, name.clone()),
            Self::Rules(rules) => {
                let secs = ms.div_euclid(1000);
                match rules.transitions.iter().rposition(|(at, _, _)| *at <= secs) {
                    None => rules.initial.clone(),
                    Some(i) if i + 1 == rules.transitions.len() => match &rules.footer {
                        Some(footer) => footer.offset_at(secs),
                        None => (rules.transitions[i].1, rules.transitions[i].2.clone()),
                    },
                    Some(i) => (rules.transitions[i].1, rules.transitions[i].2.clone()),
                }
            }
        }
    }
}

fn parse_tzif(bytes: &[u8]) -> Option<TzRules> {
    let header = |at: usize| -> Option<[usize; 6]> {
        if bytes.get(at..at + 4)? != b"TZif" {
            return None;
        }
        let mut counts = [0usize; 6];
        for (i, count) in counts.iter_mut().enumerate() {
            let start = at + 20 + i * 4;
            let raw: [u8; 4] = bytes.get(start..start + 4)?.try_into().ok()?;
            *count = u32::from_be_bytes(raw) as usize;
        }
        Some(counts)
    };
    // counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    let v1 = header(0)?;
    let version = *bytes.get(4)?;
    let v1_len = v1[3] * 5 + v1[4] * 6 + v1[5] + v1[2] * 8 + v1[1] + v1[0];
    let (at, counts, time_size) = if version >= b'2' {
        let at = 44 + v1_len;
        (at, header(at)?, 8)
    } else {
        (0, v1, 4)
    };
    let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts;
    let mut pos = at + 44;
    let read_int = |pos: usize, size: usize| -> Option<i64> {
        let slice = bytes.get(pos..pos + size)?;
        Some(if size == 8 {
            i64::from_be_bytes(slice.try_into().ok()?)
        } else {
            i64::from(i32::from_be_bytes(slice.try_into().ok()?))
        })
    };
    let mut times = Vec::with_capacity(timecnt);
    for i in 0..timecnt {
        times.push(read_int(pos + i * time_size, time_size)?);
    }
    pos += timecnt * time_size;
    let indices = bytes.get(pos..pos + timecnt)?.to_vec();
    pos += timecnt;
    let mut types = Vec::with_capacity(typecnt);
    for i in 0..typecnt {
        let base = pos + i * 6;
        types.push((read_int(base, 4)?, usize::from(*bytes.get(base + 5)?)));
    }
    pos += typecnt * 6;
    let chars = bytes.get(pos..pos + charcnt)?;
    pos += charcnt + leapcnt * (time_size + 4) + isstdcnt + isutcnt;
    let abbreviation = |index: usize| -> String {
        let tail = chars.get(index..).unwrap_or_default();
        let end = tail.iter().position(|b| *b == 0).unwrap_or(tail.len());
        String::from_utf8_lossy(&tail[..end]).into_owned()
    };
    let kind = |i: usize| -> Option<(i64, String)> {
        let (offset, abbr) = types.get(i)?;
        Some((*offset, abbreviation(*abbr)))
    };
    let transitions = times
        .iter()
        .zip(&indices)
        .map(|(at, i)| {
            let (offset, abbr) = kind(usize::from(*i))?;
            Some((*at, offset, abbr))
        })
        .collect::<Option<Vec<_>>>()?;
    let footer = if version >= b'2' {
        std::str::from_utf8(bytes.get(pos..)?)
            .ok()
            .and_then(|text| text.trim_matches('\n').lines().next().map(str::to_owned))
            .and_then(|text| PosixTz::parse(&text))
    } else {
        None
    };
    let initial = kind(0).unwrap_or((0, "UTC".to_owned()));
    if transitions.is_empty()
        && let Some(footer) = &footer
    {
        return Some(TzRules {
            transitions: vec![(i64::MIN, footer.std.0, footer.std.1.clone())],
            initial,
            footer: Some(footer.clone()),
        });
    }
    Some(TzRules {
        transitions,
        initial,
        footer,
    })
}

/// A POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`), the rule a TZif file ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PosixTz {
    std: (i64, String),
    dst: Option<((i64, String), PosixRule, PosixRule)>,
}

/// `Mm.w.d/time`: day `d` (0 = Sunday) of week `w` (5 = last) of month `m`, at local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PosixRule {
    month: i64,
    week: i64,
    weekday: i64,
    time: i64,
}

impl PosixTz {
    fn parse(text: &str) -> Option<Self> {
        let mut rest = text;
        let name = |rest: &mut &str| -> Option<String> {
            if let Some(quoted) = rest.strip_prefix('<') {
                let end = quoted.find('>')?;
                let name = quoted[..end].to_owned();
                *rest = &quoted[end + 1..];
                Some(name)
            } else {
                let end = rest
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                let name = rest[..end].to_owned();
                *rest = &rest[end..];
                (name.len() >= 3).then_some(name)
            }
        };
        let time = |rest: &mut &str| -> Option<i64> {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || matches!(c, ':' | '+' | '-')))
                .unwrap_or(rest.len());
            let text = &rest[..end];
            *rest = &rest[end..];
            let (sign, digits) = match text.strip_prefix('-') {
                Some(d) => (-1, d),
                None => (1, text.strip_prefix('+').unwrap_or(text)),
            };
            let mut parts = digits.split(':').map(str::parse::<i64>);
            let hours = parts.next()?.ok()?;
            let minutes = parts.next().transpose().ok()?.unwrap_or(0);
            let seconds = parts.next().transpose().ok()?.unwrap_or(0);
            Some(sign * (hours * 3600 + minutes * 60 + seconds))
        };
        let std_name = name(&mut rest)?;
        // POSIX offsets are west of UTC.
        let std_offset = -time(&mut rest)?;
        if rest.is_empty() {
            return Some(Self {
                std: (std_offset, std_name),
                dst: None,
            });
        }
        let dst_name = name(&mut rest)?;
        let dst_offset = if rest.starts_with(',') {
            std_offset + 3600
        } else {
            -time(&mut rest)?
        };
        let rule = |rest: &mut &str| -> Option<PosixRule> {
            let body = rest.strip_prefix(",M")?;
            let end = body.find(',').unwrap_or(body.len());
            let (spec, time_part) = match body[..end].split_once('/') {
                Some((spec, t)) => (spec, Some(t)),
                None => (&body[..end], None),
            };
            let mut numbers = spec.split('.').map(str::parse::<i64>);
            let parsed = PosixRule {
                month: numbers.next()?.ok()?,
                week: numbers.next()?.ok()?,
                weekday: numbers.next()?.ok()?,
                time: match time_part {
                    Some(mut t) => time(&mut t)?,
                    None => 7200,
                },
            };
            *rest = &body[end..];
            Some(parsed)
        };
        let start = rule(&mut rest)?;
        let end = rule(&mut rest)?;
        Some(Self {
            std: (std_offset, std_name),
            dst: Some(((dst_offset, dst_name), start, end)),
        })
    }

    fn offset_at(&self, secs: i64) -> (i64, String) {
        let Some((dst, start, end)) = &self.dst else {
            return self.std.clone();
        };
        let year = fields(secs * 1000, self.std.0).year;
        // Transition instants in UTC: start is given in standard time, end in DST.
        let start_utc = start.local_seconds(year) - self.std.0;
        let end_utc = end.local_seconds(year) - dst.0;
        let in_dst = if start_utc < end_utc {
            secs >= start_utc && secs < end_utc
        } else {
            secs >= start_utc || secs < end_utc
        };
        if in_dst {
            dst.clone()
        } else {
            self.std.clone()
        }
    }
}

impl PosixRule {
    fn local_seconds(&self, year: i64) -> i64 {
        let first = days_from_civil(year, self.month, 1);
        let first_weekday = (first + 4).rem_euclid(7);
        let mut day = first + (self.weekday - first_weekday).rem_euclid(7) + (self.week - 1) * 7;
        let next_month = if self.month == 12 {
            days_from_civil(year + 1, 1, 1)
        } else {
            days_from_civil(year, self.month + 1, 1)
        };
        while day >= next_month {
            day -= 7;
        }
        day * 86_400 + self.time
    }
}

fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// ISO week number and ISO week-year.
fn iso_week(f: &Fields) -> (i64, i64) {
    let iso_weekday = if f.weekday == 0 { 7 } else { f.weekday };
    let week = (f.yday - iso_weekday + 10) / 7;
    if week < 1 {
        let prev = f.year - 1;
        let dec31 = Fields {
            year: prev,
            yday: if is_leap(prev) { 366 } else { 365 },
            weekday: (f.weekday - f.yday).rem_euclid(7),
            ..*f
        };
        return iso_week(&dec31);
    }
    let days_in_year = if is_leap(f.year) { 366 } else { 365 };
    if week == 53 && f.yday - iso_weekday + 7 - 3 > days_in_year {
        return (1, f.year + 1);
    }
    (week, f.year)
}

fn offset_text(offset: i64, colon: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.abs();
    let (h, m) = (abs / 3600, abs / 60 % 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// moment's default format: `YYYY-MM-DDTHH:mm:ss[Z]` in UTC, else with the offset.
pub(crate) fn default_format(tz: &Tz, ms: Millis) -> &'static str {
    if tz.offset_at(ms).0 == 0 {
        "YYYY-MM-DDTHH:mm:ss[Z]"
    } else {
        "YYYY-MM-DDTHH:mm:ssZ"
    }
}

/// Formats `ms` in `tz` with a moment.js format string.
///
/// Tokens: `YYYY YY Q Qo M Mo MM MMM MMMM D Do DD DDD DDDo DDDD d do dd ddd dddd E H HH h hh
/// k kk m mm s ss S…(1-9) A a Z ZZ z zz X x W Wo WW GG GGGG`, `[literal]`. Other letters
/// are printed as they are (moment does the same for unknown letters).
pub(crate) fn format_moment(ms: Millis, tz: &Tz, format: &str) -> String {
    let (offset, abbreviation) = tz.offset_at(ms);
    let f = fields(ms, offset);
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let run = |i: usize, c: char| chars[i..].iter().take_while(|x| **x == c).count();
    while i < chars.len() {
        let c = chars[i];
        if c == '['
            && let Some(end) = chars[i + 1..].iter().position(|x| *x == ']')
        {
            out.extend(&chars[i + 1..i + 1 + end]);
            i += end + 2;
            continue;
        }
        if c == '\\' && i + 1 < chars.len() {
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        let n = run(i, c);
        let ord = chars.get(i + n) == Some(&'o');
        let (text, used) = match (c, n) {
            ('Y', 4..) => (format!("{:04}", f.year), 4),
            ('Y', 2 | 3) => (format!("{:02}", f.year.rem_euclid(100)), 2),
            ('Y', 1) => (f.year.to_string(), 1),
            ('Q', _) if ord => (ordinal((f.month - 1) / 3 + 1), 2),
            ('Q', _) => (((f.month - 1) / 3 + 1).to_string(), 1),
            ('M', 4..) => (MONTHS[(f.month - 1) as usize].to_owned(), 4),
            ('M', 3) => (MONTHS[(f.month - 1) as usize][..3].to_owned(), 3),
            ('M', 2) => (format!("{:02}", f.month), 2),
            ('M', 1) if ord => (ordinal(f.month), 2),
            ('M', 1) => (f.month.to_string(), 1),
            ('D', 4..) => (format!("{:03}", f.yday), 4),
            ('D', 3) if ord => (ordinal(f.yday), 4),
            ('D', 3) => (f.yday.to_string(), 3),
            ('D', 2) => (format!("{:02}", f.day), 2),
            ('D', 1) if ord => (ordinal(f.day), 2),
            ('D', 1) => (f.day.to_string(), 1),
            ('d', 4..) => (DAYS[f.weekday as usize].to_owned(), 4),
            ('d', 3) => (DAYS[f.weekday as usize][..3].to_owned(), 3),
            ('d', 2) => (DAYS[f.weekday as usize][..2].to_owned(), 2),
            ('d', 1) if ord => (ordinal(f.weekday), 2),
            ('d', 1) => (f.weekday.to_string(), 1),
            ('E', _) => ((if f.weekday == 0 { 7 } else { f.weekday }).to_string(), 1),
            ('H', 2..) => (format!("{:02}", f.hour), 2),
            ('H', 1) => (f.hour.to_string(), 1),
            ('h', m) => {
                let h = if f.hour % 12 == 0 { 12 } else { f.hour % 12 };
                if m >= 2 {
                    (format!("{h:02}"), 2)
                } else {
                    (h.to_string(), 1)
                }
            }
            ('k', m) => {
                let k = if f.hour == 0 { 24 } else { f.hour };
                if m >= 2 {
                    (format!("{k:02}"), 2)
                } else {
                    (k.to_string(), 1)
                }
            }
            ('m', 2..) => (format!("{:02}", f.minute), 2),
            ('m', 1) => (f.minute.to_string(), 1),
            ('s', 2..) => (format!("{:02}", f.second), 2),
            ('s', 1) => (f.second.to_string(), 1),
            ('S', m) => {
                let m = m.min(9);
                let digits = format!("{:03}000000", f.milli);
                (digits[..m].to_owned(), m)
            }
            ('A', _) => ((if f.hour < 12 { "AM" } else { "PM" }).to_owned(), 1),
            ('a', _) => ((if f.hour < 12 { "am" } else { "pm" }).to_owned(), 1),
            ('Z', 2..) => (offset_text(f.offset_secs, false), 2),
            ('Z', 1) => (offset_text(f.offset_secs, true), 1),
            ('z', m) => (abbreviation.clone(), m.min(2)),
            ('X', _) => (ms.div_euclid(1000).to_string(), 1),
            ('x', _) => (ms.to_string(), 1),
            ('W', m) => {
                let (week, _) = iso_week(&f);
                if ord {
                    (ordinal(week), 2)
                } else if m >= 2 {
                    (format!("{week:02}"), 2)
                } else {
                    (week.to_string(), 1)
                }
            }
            ('G', 4..) => (format!("{:04}", iso_week(&f).1), 4),
            ('G', 2 | 3) => (format!("{:02}", iso_week(&f).1.rem_euclid(100)), 2),
            _ => (c.to_string(), 1),
        };
        out.push_str(&text);
        i += used;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "2026-11-23T20:05:09.042Z";

    #[test]
    fn parses_and_prints_instants() {
        let ms = parse_rfc3339(T).unwrap();
        assert_eq!(iso_utc(ms), T);
        assert_eq!(
            parse_rfc3339("2026-11-23T21:05:09.042+01:00"),
            Some(ms),
            "offset"
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1000));
        for bad in [
            "2026-11-23",
            "2026-13-01T00:00:00Z",
            "yesterday",
            "2026-11-23T20:05:09",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn moment_formats() {
        let ms = parse_rfc3339(T).unwrap();
        let utc = Tz::utc();
        for (format, expected) in [
            ("YYYYMMDD", "20261123"),
            ("YYYYMMDD-HHmmss", "20261123-200509"),
            ("YYYY-MM-DDTHH:mm:ss[Z]", "2026-11-23T20:05:09Z"),
            ("YY.M.D h:m:s A a", "26.11.23 8:5:9 PM pm"),
            (
                "dddd ddd dd d E Do MMM MMMM Mo",
                "Monday Mon Mo 1 1 23rd Nov November 11th",
            ),
            ("DDD DDDD Q W WW GGGG", "327 327 4 48 48 2026"),
            ("X x SSS S", "1795464309 1795464309042 042 0"),
            ("Z ZZ", "+00:00 +0000"),
            ("[week] W", "week 48"),
            ("kk", "20"),
        ] {
            assert_eq!(format_moment(ms, &utc, format), expected, "{format}");
        }
        let plus = Tz::parse("+05:30").unwrap();
        assert_eq!(
            format_moment(ms, &plus, "YYYYMMDD-HHmm Z"),
            "20261124-0135 +05:30"
        );
        let west = Tz::parse("Etc/GMT+5").unwrap();
        assert_eq!(format_moment(ms, &west, "HH Z"), "15 -05:00");
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        let utc = Tz::utc();
        let at = |s: &str| format_moment(parse_rfc3339(s).unwrap(), &utc, "GGGG-WW");
        assert_eq!(at("2021-01-01T00:00:00Z"), "2020-53");
        assert_eq!(at("2024-12-30T00:00:00Z"), "2025-01");
        assert_eq!(at("2026-01-01T00:00:00Z"), "2026-01");
    }

    #[test]
    fn named_zones_from_the_tz_database() {
        if !std::path::Path::new("/usr/share/zoneinfo/Europe/Paris").exists() {
            return;
        }
        let paris = Tz::parse("Europe/Paris").unwrap();
        let summer = parse_rfc3339("2026-07-01T12:00:00Z").unwrap();
        let winter = parse_rfc3339("2026-01-01T12:00:00Z").unwrap();
        let far = parse_rfc3339("2051-07-01T12:00:00Z").unwrap();
        assert_eq!(format_moment(summer, &paris, "HH Z z"), "14 +02:00 CEST");
        assert_eq!(format_moment(winter, &paris, "HH Z z"), "13 +01:00 CET");
        assert_eq!(format_moment(far, &paris, "HH Z"), "14 +02:00");
        let tokyo = Tz::parse("Asia/Tokyo").unwrap();
        assert_eq!(
            format_moment(winter, &tokyo, "YYYYMMDD-hhmmss"),
            "20260101-090000"
        );
        assert!(Tz::parse("Mars/Olympus").is_err());
        assert!(Tz::parse("../etc/passwd").is_err());
        let posix = PosixTz::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        let july = parse_rfc3339("2060-07-01T12:00:00Z").unwrap() / 1000;
        assert_eq!(posix.offset_at(july).0, -4 * 3600);
        assert_eq!(
            posix.offset_at(july + 180 * 86_400).0,
            -5 * 3600,
            "december"
        );
    }
}
