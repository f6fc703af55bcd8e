//! The storage conformance suite on a real PostgreSQL (the cluster `SSJ_TEST_PG_URL` names).
ssj_storage_conformance::all_cases!(ssj_storage_conformance::PostgresHarness);
