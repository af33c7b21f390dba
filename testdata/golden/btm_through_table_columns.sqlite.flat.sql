SELECT "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3", "t2"."id" AS "c4", "t2"."name" AS "c5", "t1"."added_by" AS "c6"
FROM "posts" AS "t0"
LEFT JOIN ("post_tags" AS "t1" INNER JOIN "tags" AS "t2" ON "t2"."id" = "t1"."tag_id") ON "t1"."post_id" = "t0"."id"
ORDER BY "t0"."id", "t2"."id"
