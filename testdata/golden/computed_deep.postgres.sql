SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", (("t0".id * $1)) AS "c3", "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7", "t2"."id" AS "c8", "t2"."name" AS "c9", "t2"."email" AS "c10", CASE WHEN "t2"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "posts" AS "t3"
  WHERE "t3"."user_id" = "t2"."id") END AS "c11"
FROM "users" AS "t0" CROSS JOIN "posts" AS "t1" CROSS JOIN "users" AS "t2"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY (("t0".id * $1)) DESC, "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", (("t0".id * $1)) AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10", NULL AS "c11"
FROM "users" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t1"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10", NULL AS "c11"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0")
UNION ALL
SELECT 2 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", "t2"."id" AS "c8", "t2"."name" AS "c9", "t2"."email" AS "c10", CASE WHEN "t2"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "posts" AS "t3"
  WHERE "t3"."user_id" = "t2"."id") END AS "c11"
FROM "users" AS "t2"
WHERE "t2"."id" IN (SELECT "t1"."user_id"
  FROM "posts" AS "t1"
  WHERE "t1"."user_id" IN (SELECT "t0"."id"
    FROM "users" AS "t0"))
-- arg 1: 10
