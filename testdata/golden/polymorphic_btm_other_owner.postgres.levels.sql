-- statement 1: branch 0, result columns [1 2], no keys
SELECT "t0"."id" AS "c0", "t0"."title" AS "c1"
FROM "p_videos" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [3 4 5 6], no keys
SELECT "t2"."id" AS "c2", "t2"."name" AS "c3", "t2"."status" AS "c4", "t1"."taggable_id" AS "c5"
FROM ("p_item_tags" AS "t1" INNER JOIN "p_tags" AS "t2" ON "t2"."id" = "t1"."tag_id")
WHERE "t1"."taggable_id" IN (SELECT "t0"."id"
  FROM "p_videos" AS "t0") AND "t1"."taggable" = $1
ORDER BY "t2"."id"
-- arg 1: "video"
