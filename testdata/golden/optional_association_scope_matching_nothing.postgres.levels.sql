-- statement 1: branch 0, result columns [1 2], no keys
SELECT "t0"."id" AS "c0", "t0"."title" AS "c1"
FROM "p_videos" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [3 4 5 9], no keys
SELECT "t2"."id" AS "c2", "t2"."name" AS "c3", "t2"."status" AS "c4", "t1"."taggable_id" AS "c8"
FROM ("p_item_tags" AS "t1" INNER JOIN "p_tags" AS "t2" ON "t2"."id" = "t1"."tag_id" AND "t2"."status" = $1)
WHERE "t1"."taggable_id" IN (SELECT "t0"."id"
  FROM "p_videos" AS "t0") AND "t1"."taggable" = $2
-- arg 1: "archived"
-- arg 2: "video"
-- statement 3: branch 2, result columns [6 7 8 10], no keys
SELECT "t4"."id" AS "c5", "t4"."name" AS "c6", "t4"."status" AS "c7", "t3"."taggable_id" AS "c9"
FROM ("p_item_tags" AS "t3" INNER JOIN "p_tags" AS "t4" ON "t4"."id" = "t3"."tag_id")
WHERE "t3"."taggable_id" IN (SELECT "t0"."id"
  FROM "p_videos" AS "t0") AND "t3"."taggable" = $1
ORDER BY "t4"."id"
-- arg 1: "video"
