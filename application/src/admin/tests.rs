//! Unit tests of `admin`.

use super::*;

#[test]
fn the_health_score_follows_its_rule() {
    assert_eq!(health_score(true, 0, 0, 0), 100);
    assert_eq!(health_score(false, 0, 0, 0), 50);
    assert_eq!(health_score(true, 1, 5, 250), 100 - 15 - 5 - 2);
    assert_eq!(health_score(false, 4, 1000, 1_000_000), 0);
}
