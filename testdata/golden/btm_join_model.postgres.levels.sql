-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2"
FROM "users" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [4 5 6 7 8], no keys
SELECT "t2"."id" AS "c3", "t2"."name" AS "c4", "t1"."user_id" AS "c5", "t1"."project_id" AS "c6", "t1"."role" AS "c7"
FROM ("user_projects" AS "t1" INNER JOIN "projects" AS "t2" ON "t2"."id" = "t1"."project_id")
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0")
ORDER BY "t2"."id"
