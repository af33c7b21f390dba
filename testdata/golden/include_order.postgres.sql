SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "users" AS "t0" CROSS JOIN "posts" AS "t1"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", NULL AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6"
FROM "users" AS "t0"
WHERE "t0"."id" = $1
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t1"."id" DESC) AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "posts" AS "t1"
WHERE "t1"."user_id" = ANY(ARRAY(SELECT "t0"."id"
  FROM "users" AS "t0"
  WHERE "t0"."id" = $1))
-- arg 1: 1
