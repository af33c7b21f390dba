SELECT `t0`.`id` AS `c0`, `t0`.`home_team_id` AS `c1`, `t0`.`away_team_id` AS `c2`, `t1`.`id` AS `c3`, `t1`.`name` AS `c4`, `t2`.`id` AS `c5`, `t2`.`name` AS `c6`
FROM `games` AS `t0`
LEFT JOIN `teams` AS `t1` ON `t1`.`id` = `t0`.`home_team_id`
LEFT JOIN `teams` AS `t2` ON `t2`.`id` = `t0`.`away_team_id`
ORDER BY `t0`.`id`
