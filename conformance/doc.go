// Package conformance holds joinery's Sequelize conformance test: every case recorded from
// real Sequelize under testdata/sequelize (and under the directories listed in
// JOINERY_CONFORMANCE_DIR, colon-separated) is replayed against joinery on SQLite and, when
// JOINERY_PG_DSN / JOINERY_MYSQL_DSN are set, on PostgreSQL and MySQL/MariaDB.
//
// For each case the test creates the tables (the recorded DDL on PostgreSQL, a translation of
// the resolved models elsewhere), inserts the data, declares the models as run-time map
// models with the associations Sequelize resolved, translates the case's query into a joinery
// include tree, runs it and compares the nested result with Sequelize's. Deliberate
// differences are listed, with their reason, in the deviations table (deviations_test.go).
//
//	go test -count=1 ./conformance/ -v
//
// The package has no non-test code.
package conformance
