-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."home_team_id" AS "c1", "t0"."away_team_id" AS "c2"
FROM "games" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [4 5], keys: result columns [2] of statement 1, into arguments [0]
SELECT "t1"."id" AS "c3", "t1"."name" AS "c4"
FROM "teams" AS "t1"
WHERE "t1"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"homeTeam", Column:"id"}
-- statement 3: branch 2, result columns [6 7], keys: result columns [3] of statement 1, into arguments [0]
SELECT "t2"."id" AS "c5", "t2"."name" AS "c6"
FROM "teams" AS "t2"
WHERE "t2"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"awayTeam", Column:"id"}
