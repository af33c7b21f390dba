SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."home_team_id" AS "c1", "t0"."away_team_id" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6"
FROM "games" AS "t0"
UNION ALL
SELECT 1 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", "t1"."id" AS "c3", "t1"."name" AS "c4", NULL AS "c5", NULL AS "c6"
FROM "teams" AS "t1"
WHERE "t1"."id" IN (SELECT "t0"."home_team_id"
  FROM "games" AS "t0")
UNION ALL
SELECT 2 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", "t2"."id" AS "c5", "t2"."name" AS "c6"
FROM "teams" AS "t2"
WHERE "t2"."id" IN (SELECT "t0"."away_team_id"
  FROM "games" AS "t0")
