SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7"
FROM "posts" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t2"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", "t2"."id" AS "c4", "t2"."name" AS "c5", "t1"."added_by" AS "c6", "t1"."post_id" AS "c7"
FROM ("post_tags" AS "t1" INNER JOIN "tags" AS "t2" ON "t2"."id" = "t1"."tag_id")
WHERE "t1"."post_id" IN (SELECT "t0"."id"
  FROM "posts" AS "t0")
