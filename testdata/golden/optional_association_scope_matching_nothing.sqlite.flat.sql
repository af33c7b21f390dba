SELECT "t0"."id" AS "c0", "t0"."title" AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t2"."status" AS "c4", "t4"."id" AS "c5", "t4"."name" AS "c6", "t4"."status" AS "c7"
FROM "p_videos" AS "t0"
LEFT JOIN ("p_item_tags" AS "t1" INNER JOIN "p_tags" AS "t2" ON "t2"."id" = "t1"."tag_id" AND "t2"."status" = ?) ON "t1"."taggable_id" = "t0"."id" AND "t1"."taggable" = ?
LEFT JOIN ("p_item_tags" AS "t3" INNER JOIN "p_tags" AS "t4" ON "t4"."id" = "t3"."tag_id") ON "t3"."taggable_id" = "t0"."id" AND "t3"."taggable" = ?
ORDER BY "t0"."id", "t4"."id"
-- arg 1: "archived"
-- arg 2: "video"
-- arg 3: "video"
