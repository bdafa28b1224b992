//! Paging a list the store gives whole, for answers that must stay bounded:
//! a page of at most `limit` entries after a cursor, and the cursor of the
//! next page. Entries are keyed by (time, id), so a cursor still places
//! itself when the entry it names has gone meanwhile.

use crate::error::AppError;
use chatchit_domain::time::Timestamp;
use chatchit_domain::values::PageLimit;
use uuid::Uuid;

/// Where an entry stands in its list.
pub type Key = (Timestamp, Uuid);

/// The cursor's text form: `<millis>_<uuid>` (the conversation list's
/// cursor too).
pub(crate) fn encode(key: Key) -> String {
    format!("{}_{}", key.0.millis(), key.1)
}

/// Reads a cursor written by [`encode`].
///
/// # Errors
/// `Validation` on field `cursor` for anything else.
pub(crate) fn decode(raw: &str) -> Result<Key, AppError> {
    let bad = || AppError::validation("cursor", "is not a cursor this server issued");
    let (millis, id) = raw.split_once('_').ok_or_else(bad)?;
    Ok((
        Timestamp::from_millis(millis.parse().map_err(|_| bad())?),
        id.parse().map_err(|_| bad())?,
    ))
}

/// The page of `items` (ordered by `key`, newest first when `newest_first`)
/// that follows `cursor`, at most `limit` long (1–100, default 50), with the
/// next page's cursor (`None` on the last page).
///
/// # Errors
/// `Validation` for a bad cursor or limit.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> Key,
    newest_first: bool,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<(Vec<T>, Option<String>), AppError> {
    let limit = PageLimit::parse(limit)?.get() as usize;
    let after = cursor.map(decode).transpose()?;
    let mut page: Vec<T> = items
        .into_iter()
        .filter(|item| match after {
            None => true,
            Some(after) if newest_first => key(item) < after,
            Some(after) => key(item) > after,
        })
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let next = more
        .then(|| page.last().map(|last| encode(key(last))))
        .flatten();
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(n: i64) -> Key {
        (Timestamp::from_millis(n), Uuid::from_u128(n as u128))
    }

    #[test]
    fn pages_follow_each_other_to_the_end() {
        let items: Vec<i64> = (1..=5).collect();
        let (first, next) = page(items.clone(), |n| at(*n), false, None, Some(2)).expect("page");
        assert_eq!(first, [1, 2]);
        let (second, next) =
            page(items.clone(), |n| at(*n), false, next.as_deref(), Some(2)).expect("page");
        assert_eq!(second, [3, 4]);
        let (last, next) = page(items, |n| at(*n), false, next.as_deref(), Some(2)).expect("page");
        assert_eq!((last, next), (vec![5], None));
    }

    #[test]
    fn a_cursor_whose_entry_is_gone_still_places_itself() {
        let newest_first = vec![9_i64, 7, 5, 3];
        let cursor = encode(at(8));
        let (page, _) = page(newest_first, |n| at(*n), true, Some(&cursor), None).expect("page");
        assert_eq!(page, [7, 5, 3]);
        assert!(super::page(vec![1_i64], |n| at(*n), false, Some("nonsense"), None).is_err());
    }
}
