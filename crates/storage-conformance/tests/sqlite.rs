//! The storage conformance suite on SQLite.
ssj_storage_conformance::all_cases!(ssj_storage_conformance::SqliteHarness);
