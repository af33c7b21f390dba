SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."commentable" AS "c1", "t0"."commentable_id" AS "c2", "t0"."body" AS "c3", "t0"."deleted_at" AS "c4", "t1"."id" AS "c5", "t1"."title" AS "c6", "t2"."id" AS "c7", "t2"."url" AS "c8", CASE WHEN "t0"."commentable" = $1 THEN "t0"."commentable_id" END AS "c9", CASE WHEN "t0"."commentable" = $2 THEN "t0"."commentable_id" END AS "c10"
FROM "p_comments" AS "t0" CROSS JOIN "p_posts" AS "t1" CROSS JOIN "p_images" AS "t2"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."commentable" AS "c1", "t0"."commentable_id" AS "c2", "t0"."body" AS "c3", "t0"."deleted_at" AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", NULL AS "c8", CASE WHEN "t0"."commentable" = $1 THEN "t0"."commentable_id" END AS "c9", CASE WHEN "t0"."commentable" = $2 THEN "t0"."commentable_id" END AS "c10"
FROM "p_comments" AS "t0"
WHERE "t0"."deleted_at" IS NULL
UNION ALL
SELECT 1 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", "t1"."id" AS "c5", "t1"."title" AS "c6", NULL AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10"
FROM "p_posts" AS "t1"
WHERE "t1"."id" IN (SELECT "t0"."commentable_id"
  FROM "p_comments" AS "t0"
  WHERE "t0"."deleted_at" IS NULL AND "t0"."commentable" = $1)
UNION ALL
SELECT 2 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", "t2"."id" AS "c7", "t2"."url" AS "c8", NULL AS "c9", NULL AS "c10"
FROM "p_images" AS "t2"
WHERE "t2"."id" IN (SELECT "t0"."commentable_id"
  FROM "p_comments" AS "t0"
  WHERE "t0"."deleted_at" IS NULL AND "t0"."commentable" = $2)
-- arg 1: "post"
-- arg 2: "image"
