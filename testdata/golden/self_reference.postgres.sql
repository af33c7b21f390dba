SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t4"."id" AS "c4", "t4"."name" AS "c5", "t1"."parent_id" AS "c6", "t3"."parent_id" AS "c7"
FROM "people" AS "t0" CROSS JOIN "person_children" AS "t1" CROSS JOIN "people" AS "t2" CROSS JOIN "person_children" AS "t3" CROSS JOIN "people" AS "t4"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7"
FROM "people" AS "t0"
WHERE "t0"."id" = $1
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t2"."id") AS "jo", NULL AS "c0", NULL AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", NULL AS "c4", NULL AS "c5", "t1"."parent_id" AS "c6", NULL AS "c7"
FROM ("person_children" AS "t1" INNER JOIN "people" AS "t2" ON "t2"."id" = "t1"."child_id")
WHERE "t1"."parent_id" = ANY(ARRAY(SELECT "t0"."id"
  FROM "people" AS "t0"
  WHERE "t0"."id" = $1))
UNION ALL
SELECT 2 AS "jb", ROW_NUMBER() OVER (ORDER BY "t4"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", "t4"."id" AS "c4", "t4"."name" AS "c5", NULL AS "c6", "t3"."parent_id" AS "c7"
FROM ("person_children" AS "t3" INNER JOIN "people" AS "t4" ON "t4"."id" = "t3"."child_id")
WHERE "t3"."parent_id" IN (SELECT "t2"."id"
  FROM ("person_children" AS "t1" INNER JOIN "people" AS "t2" ON "t2"."id" = "t1"."child_id")
  WHERE "t1"."parent_id" = ANY(ARRAY(SELECT "t0"."id"
    FROM "people" AS "t0"
    WHERE "t0"."id" = $1)))
-- arg 1: 1
