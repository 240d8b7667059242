//! Unix timestamps in the form Drupal writes them (`2026-11-29T19:51:43+00:00`), converted with
//! the civil-calendar algorithms of Howard Hinnant so the sandbox needs no date crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Formats `ts` as RFC 3339 in UTC with an explicit `+00:00` offset, as Drupal does.
pub(crate) fn format(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; fractions of a second are dropped.
pub(crate) fn parse(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = s.get(from..to)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hh, mm, ss) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if civil_from_days(days) != (y, m, d) {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return None,
    };
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss - offset)
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_drupal() {
        assert_eq!(format(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(format(-1), "1969-12-31T23:59:59+00:00");
        assert_eq!(format(951_782_400), "2000-02-29T00:00:00+00:00");
        // The `iat` of the token in transcript 01, captured at 19:52:29Z.
        assert_eq!(format(1_795_981_949), "2026-11-29T19:52:29+00:00");
    }

    #[test]
    fn parses_what_it_formats_and_common_variants() {
        for ts in [0, -1, 951_782_400, 1_795_981_949, 4_102_444_800] {
            assert_eq!(parse(&format(ts)), Some(ts));
        }
        assert_eq!(parse("2026-11-29T19:52:29Z"), Some(1_795_981_949));
        assert_eq!(parse("2026-11-29T19:52:29.123Z"), Some(1_795_981_949));
        assert_eq!(parse("2026-11-29T21:52:29+02:00"), Some(1_795_981_949));
        assert_eq!(parse("2026-11-29T17:52:29-02:00"), Some(1_795_981_949));
        for bad in [
            "",
            "2026-11-29",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-29T19:52:29",
            "2026-11-29T19:52:29+0200",
            "2026-11-29T19:52:29.Z",
            "2026-1x-29T19:52:29Z",
            "２０２６-11-29T19:52:29Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
