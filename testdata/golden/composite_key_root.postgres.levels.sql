-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."user_id" AS "c0", "t0"."project_id" AS "c1", "t0"."role" AS "c2"
FROM "user_projects" AS "t0"
ORDER BY "t0"."user_id", "t0"."project_id"
-- statement 2: branch 1, result columns [4 5], keys: result columns [2] of statement 1, into arguments [0]
SELECT "t1"."id" AS "c3", "t1"."name" AS "c4"
FROM "projects" AS "t1"
WHERE "t1"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"Project", Column:"id"}
-- statement 3: branch 2, result columns [6 7 8], keys: result columns [1] of statement 1, into arguments [0]
SELECT "t2"."id" AS "c5", "t2"."name" AS "c6", "t2"."email" AS "c7"
FROM "users" AS "t2"
WHERE "t2"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"User", Column:"id"}
