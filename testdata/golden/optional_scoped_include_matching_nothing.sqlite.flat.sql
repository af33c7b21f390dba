SELECT "t0"."id" AS "c0", "t0"."title" AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t2"."status" AS "c4"
FROM "p_videos" AS "t0"
LEFT JOIN ("p_item_tags" AS "t1" INNER JOIN "p_tags" AS "t2" ON "t2"."id" = "t1"."tag_id" AND "t2"."name" = ?) ON "t1"."taggable_id" = "t0"."id" AND "t1"."taggable" = ?
ORDER BY "t0"."id"
-- arg 1: "nope"
-- arg 2: "video"
