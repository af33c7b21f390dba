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
// When JOINERY_CITUS_DSN is set, the read and the write cases also run on a Citus cluster
// with their tables DISTRIBUTED (citus_test.go, writes_citus_test.go): the models declared
// multi-tenant (include.Tenant("tenant_id", ...); a hidden tenant attribute, so results do
// not change), every table carrying tenant_id distributed by it and co-located, the case's
// lookup tables (a model the query does not start from, that holds no foreign key and that
// another model refers to) as reference tables. Each read case runs across tenants with the
// rows as tenant 1's, then held to tenant 1 (Q.Tenant) with tenant 2 holding a copy; each
// write case runs as tenant 1 (write.Writer.WithTenant) and leaves tenant 2's copy untouched.
// Cases that fail there by a known bug of joinery are listed in citusFindings; cases whose
// recorded behaviour Citus cannot give, in citusWriteDeviations.
//
//	go test -count=1 ./conformance/ -v
//
// The package has no non-test code.
package conformance
