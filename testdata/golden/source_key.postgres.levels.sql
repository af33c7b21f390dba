-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2"
FROM "users" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [4 5 6], keys: result columns [3] of statement 1, into arguments [0]
SELECT "t1"."id" AS "c3", "t1"."user_email" AS "c4", "t1"."amount" AS "c5"
FROM "invoices" AS "t1"
WHERE "t1"."user_email" = ANY($1)
ORDER BY "t1"."id"
-- arg 1: builder.LevelKeys{Path:"Invoices", Column:"user_email"}
