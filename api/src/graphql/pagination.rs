//! Relay cursor connections over keyset pagination (no OFFSET): a cursor names the position
//! `(sort key, id)` of an item, and a page is the items strictly after or before it.

use async_graphql::{
    Object, OutputType,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use futures::future::BoxFuture;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Value,
};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use uuid::Uuid;

use super::error::ApiError;

pub const MAX_PAGE_SIZE: i32 = 100;
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// The four Relay arguments as the client sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn new(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> Self {
        Self { first, after, last, before }
    }

    /// Validates sizes and decodes cursors made for the ordering named `order`.
    pub fn window(&self, order: &str) -> Result<Window, ApiError> {
        let bad = |m: &str| Err(ApiError::BadUserInput(m.to_owned()));
        let size = |n: i32, arg: &str| -> Result<usize, ApiError> {
            if !(0..=MAX_PAGE_SIZE).contains(&n) {
                return Err(ApiError::BadUserInput(format!("`{arg}` must be between 0 and {MAX_PAGE_SIZE}")));
            }
            Ok(usize::try_from(n).unwrap_or_default())
        };
        let (forward, limit) = match (self.first, self.last) {
            (Some(_), Some(_)) => return bad("pass either `first` or `last`, not both"),
            (Some(n), None) => (true, size(n, "first")?),
            (None, Some(n)) => (false, size(n, "last")?),
            (None, None) => {
                (self.before.is_none() || self.after.is_some(), usize::try_from(DEFAULT_PAGE_SIZE).unwrap_or(20))
            }
        };
        let decode = |c: &Option<String>| c.as_deref().map(|c| Cursor::decode(c, order)).transpose();
        Ok(Window { forward, limit, after: decode(&self.after)?, before: decode(&self.before)? })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub forward: bool,
    pub limit: usize,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
}

/// A position in one ordering: the sort key of an item and its id as a tie-breaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "o")]
    pub order: String,
    #[serde(rename = "k")]
    pub key: Json,
    pub id: Uuid,
}

impl Cursor {
    pub fn new(order: &str, key: Json, id: Uuid) -> Self {
        Self { order: order.to_owned(), key, id }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(raw: &str, order: &str) -> Result<Cursor, ApiError> {
        let invalid = || ApiError::BadUserInput("the cursor is invalid; use one returned by this connection".into());
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.order != order {
            return Err(ApiError::BadUserInput(format!(
                "the cursor belongs to the ordering {:?}, not {order:?}; start again without it",
                cursor.order
            )));
        }
        Ok(cursor)
    }
}

/// One page of items with their cursors.
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// Trims the `limit + 1` rows fetched in scan order into a page in display order.
    fn from_scan(mut rows: Vec<(Cursor, T)>, window: &Window) -> Self {
        let more = rows.len() > window.limit;
        rows.truncate(window.limit);
        if window.forward {
            Page { items: rows, has_previous: window.after.is_some(), has_next: more }
        } else {
            rows.reverse();
            Page { items: rows, has_previous: more, has_next: window.before.is_some() }
        }
    }

    /// The page's items, for walking what lies below them (see `prefetch`).
    pub fn rows(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.items.iter().map(|(_, item)| item.clone()).collect()
    }

    pub fn into_connection<N: OutputType>(
        self,
        total: TotalCount,
        to_node: impl Fn(T) -> N,
    ) -> Connection<String, N, TotalCount> {
        let mut c = Connection::with_additional_fields(self.has_previous, self.has_next, total);
        c.edges.extend(self.items.into_iter().map(|(cursor, item)| Edge::new(cursor.encode(), to_node(item))));
        c
    }
}

/// `totalCount` of a connection, counted only when a client asks for it.
pub enum TotalCount {
    Known(u64),
    Lazy(Box<dyn Fn() -> BoxFuture<'static, Result<u64, DbErr>> + Send + Sync>),
}

#[Object]
impl TotalCount {
    /// Items in the whole connection with its filter, across all pages.
    async fn total_count(&self) -> async_graphql::Result<u64> {
        match self {
            TotalCount::Known(n) => Ok(*n),
            TotalCount::Lazy(count) => Ok(count().await.map_err(ApiError::from)?),
        }
    }
}

/// How one ordering of an entity maps onto SQL and back.
pub struct SortKey<E: EntityTrait> {
    /// Stable name stored in cursors, e.g. `engagements:title`.
    pub name: &'static str,
    pub column: E::Column,
    pub id: E::Column,
    pub descending: bool,
    /// Cursor key of a row.
    pub key_of: fn(&E::Model) -> Json,
    /// SQL value of a cursor key; `None` when the cursor was tampered with.
    pub parse: fn(&Json) -> Option<Value>,
}

/// `(column, id)` strictly beyond `cursor` in the direction `ascending`.
fn beyond<E: EntityTrait>(sort: &SortKey<E>, cursor: &Cursor, ascending: bool) -> Result<Condition, ApiError> {
    let key = (sort.parse)(&cursor.key).ok_or_else(|| ApiError::BadUserInput("the cursor is invalid".into()))?;
    let (col, id) = (sort.column, sort.id);
    Ok(if ascending {
        Condition::any().add(col.gt(key.clone())).add(Condition::all().add(col.eq(key)).add(id.gt(cursor.id)))
    } else {
        Condition::any().add(col.lt(key.clone())).add(Condition::all().add(col.eq(key)).add(id.lt(cursor.id)))
    })
}

/// Reads one page of `select` in the order `sort`, with one query.
pub async fn keyset_page<E, C>(
    db: &C,
    select: Select<E>,
    sort: &SortKey<E>,
    window: &Window,
    id_of: fn(&E::Model) -> Uuid,
) -> Result<Page<E::Model>, ApiError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let asc = !sort.descending;
    let mut q = select;
    if let Some(after) = &window.after {
        q = q.filter(beyond(sort, after, asc)?);
    }
    if let Some(before) = &window.before {
        q = q.filter(beyond(sort, before, !asc)?);
    }
    // Backward pages scan in reverse from `before` and are flipped afterwards.
    let scan_asc = asc == window.forward;
    let q = if scan_asc {
        q.order_by_asc(sort.column).order_by_asc(sort.id)
    } else {
        q.order_by_desc(sort.column).order_by_desc(sort.id)
    };
    let rows = q.limit(u64::try_from(window.limit + 1).unwrap_or(u64::MAX)).all(db).await?;
    let rows = rows.into_iter().map(|m| (Cursor::new(sort.name, (sort.key_of)(&m), id_of(&m)), m)).collect();
    Ok(Page::from_scan(rows, window))
}

/// A lazily evaluated `COUNT(*)` of `select`.
pub fn lazy_count<E>(db: sea_orm::DatabaseConnection, select: Select<E>) -> TotalCount
where
    E: EntityTrait,
    E::Model: Sync,
{
    TotalCount::Lazy(Box::new(move || {
        let (db, select) = (db.clone(), select.clone());
        Box::pin(async move { select.count(&db).await })
    }))
}

/// Pages a list already loaded in its one fixed order (children of one parent, loaded in a
/// batch for many parents). `key_of` must be monotonic in that order.
pub fn page_in_memory<T>(
    items: Vec<T>,
    order: &str,
    window: &Window,
    key_of: impl Fn(&T) -> (String, Uuid),
) -> Page<T> {
    page_in_order(items, order, window, false, key_of)
}

/// Pages a list loaded whole, in the order a client chose: sorted by `key_of` (unique: end it
/// with the id), ascending or `descending`. `order` names the order in the cursors.
pub fn page_sorted<T>(
    mut items: Vec<T>,
    order: &str,
    window: &Window,
    descending: bool,
    key_of: impl Fn(&T) -> (String, Uuid),
) -> Page<T> {
    items.sort_by_cached_key(&key_of);
    if descending {
        items.reverse();
    }
    page_in_order(items, order, window, descending, key_of)
}

/// The page of `items`, which run in `key_of` order (falling if `descending`).
fn page_in_order<T>(
    items: Vec<T>,
    order: &str,
    window: &Window,
    descending: bool,
    key_of: impl Fn(&T) -> (String, Uuid),
) -> Page<T> {
    let pos = |c: &Cursor| (c.key.as_str().unwrap_or_default().to_owned(), c.id);
    let (after, before) = (window.after.as_ref().map(pos), window.before.as_ref().map(pos));
    // "Further along the list" is "greater" ascending and "smaller" descending.
    let beyond = |k: &(String, Uuid), than: &(String, Uuid)| if descending { k < than } else { k > than };
    let mut in_range: Vec<(Cursor, T)> = items
        .into_iter()
        .filter_map(|item| {
            let k = key_of(&item);
            let ok = after.as_ref().is_none_or(|a| beyond(&k, a)) && before.as_ref().is_none_or(|b| beyond(b, &k));
            ok.then(|| (Cursor::new(order, Json::String(k.0), k.1), item))
        })
        .collect();
    if !window.forward {
        in_range.reverse();
    }
    Page::from_scan(in_range, window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    fn page(items: &[Uuid], args: PageArgs) -> Page<Uuid> {
        let w = args.window("t").unwrap();
        page_in_memory(items.to_vec(), "t", &w, |u| (String::new(), *u))
    }

    #[test]
    fn forward_and_backward_pages_meet() {
        let all = ids(5);
        let p1 = page(&all, PageArgs::new(Some(2), None, None, None));
        assert_eq!(p1.items.iter().map(|x| x.1).collect::<Vec<_>>(), all[..2]);
        assert!(p1.has_next && !p1.has_previous);
        let after = p1.items[1].0.encode();
        let p2 = page(&all, PageArgs::new(Some(10), Some(after), None, None));
        assert_eq!(p2.items.iter().map(|x| x.1).collect::<Vec<_>>(), all[2..]);
        assert!(!p2.has_next && p2.has_previous);
        let before = p2.items[0].0.encode();
        let back = page(&all, PageArgs::new(None, None, Some(1), Some(before)));
        assert_eq!(back.items.iter().map(|x| x.1).collect::<Vec<_>>(), all[1..2]);
        assert!(back.has_previous && back.has_next);
    }

    #[test]
    fn sorted_pages_run_either_way() {
        let all = ids(5);
        let keyed = |u: &Uuid| (String::new(), *u);
        for descending in [false, true] {
            let mut expected = all.clone();
            if descending {
                expected.reverse();
            }
            let shuffled: Vec<Uuid> = [3, 0, 4, 1, 2].iter().map(|&i| all[i]).collect();
            let w = PageArgs::new(Some(2), None, None, None).window("t").unwrap();
            let p1 = page_sorted(shuffled.clone(), "t", &w, descending, keyed);
            assert_eq!(p1.items.iter().map(|x| x.1).collect::<Vec<_>>(), expected[..2]);
            let after = p1.items[1].0.encode();
            let w = PageArgs::new(Some(10), Some(after), None, None).window("t").unwrap();
            let p2 = page_sorted(shuffled.clone(), "t", &w, descending, keyed);
            assert_eq!(p2.items.iter().map(|x| x.1).collect::<Vec<_>>(), expected[2..], "descending: {descending}");
            let before = p2.items[0].0.encode();
            let w = PageArgs::new(None, None, Some(1), Some(before)).window("t").unwrap();
            let back = page_sorted(shuffled, "t", &w, descending, keyed);
            assert_eq!(back.items.iter().map(|x| x.1).collect::<Vec<_>>(), expected[1..2]);
        }
    }

    #[test]
    fn limits_and_cursor_checks() {
        assert!(PageArgs::new(Some(101), None, None, None).window("t").is_err());
        assert!(PageArgs::new(Some(-1), None, None, None).window("t").is_err());
        assert!(PageArgs::new(Some(1), None, Some(1), None).window("t").is_err());
        assert!(PageArgs::new(Some(100), None, None, None).window("t").is_ok());
        assert!(PageArgs::new(None, Some("garbage".into()), None, None).window("t").is_err());
        let c = Cursor::new("other", Json::Null, Uuid::nil()).encode();
        assert!(PageArgs::new(None, Some(c), None, None).window("t").is_err());
    }
}
