-- statement 1: branch 0, result columns [1 2], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1"
FROM "people" AS "t0"
WHERE "t0"."id" = $1
ORDER BY "t0"."id"
-- arg 1: 1
-- statement 2: branch 1, result columns [3 4 7], no keys
SELECT "t2"."id" AS "c2", "t2"."name" AS "c3", "t1"."parent_id" AS "c6"
FROM ("person_children" AS "t1" INNER JOIN "people" AS "t2" ON "t2"."id" = "t1"."child_id")
WHERE "t1"."parent_id" = ANY(ARRAY(SELECT "t0"."id"
  FROM "people" AS "t0"
  WHERE "t0"."id" = $1))
ORDER BY "t2"."id"
-- arg 1: 1
-- statement 3: branch 2, result columns [5 6 8], keys: result columns [3] of statement 2, into arguments [0]
SELECT "t4"."id" AS "c4", "t4"."name" AS "c5", "t3"."parent_id" AS "c7"
FROM ("person_children" AS "t3" INNER JOIN "people" AS "t4" ON "t4"."id" = "t3"."child_id")
WHERE "t3"."parent_id" = ANY($1)
ORDER BY "t4"."id"
-- arg 1: builder.LevelKeys{Path:"children.children", Column:"parent_id"}
