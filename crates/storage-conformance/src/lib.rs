//! One conformance suite for every storage backend. `tests/sqlite.rs` and `tests/postgres.rs`
//! run the same cases, through the application services, on each backend.

pub mod cases;
pub mod harness;

pub use harness::{Fresh, Harness, PostgresHarness, SqliteHarness};

/// Expands to one `#[tokio::test]` per case, each on a fresh database from `$harness`.
#[macro_export]
macro_rules! suite {
    ($harness:expr, $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let h = $harness;
                $crate::cases::$case(&h).await;
            }
        )+
    };
}

/// Every case, for the backends' test files.
#[macro_export]
macro_rules! all_cases {
    ($harness:expr) => {
        $crate::suite!(
            $harness,
            migrations_are_idempotent,
            organisations_round_trip,
            accounts_and_scope,
            login_lockout_and_sessions,
            a_change_and_its_record_commit_together,
            log_is_insert_only,
            proofs_match_an_independent_implementation,
            tampered_record_is_named,
            deleted_last_record_is_detected_against_checkpoint,
            division_import_is_all_or_nothing,
            audit_search_filters_and_scope,
            sm3_log_verifies,
            item_list_imports_publishes_and_retires,
            item_list_round_trips_through_export,
            item_edit_goes_to_a_new_draft,
            object_directory_imports_real_lists,
            objects_outside_the_platforms_divisions_are_flagged,
            directory_tally_and_keyset_pages_follow_every_change,
            officer_directory_with_leave_conflicts_and_personal_data,
            a_task_is_drawn_once_verifiably_and_its_picks_count,
            impossible_draws_are_refused_and_save_nothing,
            large_draw_files_come_back_byte_for_byte,
            a_plan_is_imported_published_revised_and_run,
        );
    };
}
