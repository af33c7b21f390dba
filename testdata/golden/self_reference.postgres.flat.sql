SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t4"."id" AS "c4", "t4"."name" AS "c5"
FROM "people" AS "t0"
LEFT JOIN ("person_children" AS "t1" INNER JOIN "people" AS "t2" ON "t2"."id" = "t1"."child_id") ON "t1"."parent_id" = "t0"."id"
LEFT JOIN ("person_children" AS "t3" INNER JOIN "people" AS "t4" ON "t4"."id" = "t3"."child_id") ON "t3"."parent_id" = "t2"."id"
WHERE "t0"."id" = $1
ORDER BY "t0"."id", "t2"."id", "t4"."id"
-- arg 1: 1
