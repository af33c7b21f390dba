WITH "jr_p" AS MATERIALIZED (SELECT "t0"."id", "t0"."user_id"
  FROM "posts" AS "t0"
  ORDER BY "t0"."id"
  LIMIT -1
  OFFSET ?)
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6"
FROM (SELECT "t0"."id", "t0"."user_id", "t0"."title", "t0"."published"
  FROM "posts" AS "t0"
  ORDER BY "t0"."id"
  LIMIT -1
  OFFSET ?) AS "t0"
UNION ALL
SELECT 1 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", "t1"."id" AS "c4", "t1"."name" AS "c5", "t1"."email" AS "c6"
FROM "users" AS "t1"
WHERE "t1"."id" IN (SELECT "jr_p"."user_id"
  FROM "jr_p")
-- arg 1: 0x2
-- arg 2: 0x2
