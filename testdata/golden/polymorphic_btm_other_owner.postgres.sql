SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."title" AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t2"."status" AS "c4", "t1"."taggable_id" AS "c5"
FROM "p_videos" AS "t0" CROSS JOIN "p_item_tags" AS "t1" CROSS JOIN "p_tags" AS "t2"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."title" AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5"
FROM "p_videos" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t2"."id") AS "jo", NULL AS "c0", NULL AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t2"."status" AS "c4", "t1"."taggable_id" AS "c5"
FROM ("p_item_tags" AS "t1" INNER JOIN "p_tags" AS "t2" ON "t2"."id" = "t1"."tag_id")
WHERE "t1"."taggable_id" IN (SELECT "t0"."id"
  FROM "p_videos" AS "t0") AND "t1"."taggable" = $1
-- arg 1: "video"
