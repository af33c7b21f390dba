-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."user_email" AS "c1", "t0"."amount" AS "c2"
FROM "invoices" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [4 5 6], keys: result columns [2] of statement 1, into arguments [0]
SELECT "t1"."id" AS "c3", "t1"."name" AS "c4", "t1"."email" AS "c5"
FROM "users" AS "t1"
WHERE "t1"."email" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"customer", Column:"email"}
