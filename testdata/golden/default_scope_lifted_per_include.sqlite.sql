SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."title" AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6"
FROM "p_posts" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t1"."id") AS "jo", NULL AS "c0", NULL AS "c1", "t1"."id" AS "c2", "t1"."commentable" AS "c3", "t1"."commentable_id" AS "c4", "t1"."body" AS "c5", "t1"."deleted_at" AS "c6"
FROM "p_comments" AS "t1"
WHERE "t1"."commentable_id" IN (SELECT "t0"."id"
  FROM "p_posts" AS "t0") AND "t1"."commentable" = ?
-- arg 1: "post"
