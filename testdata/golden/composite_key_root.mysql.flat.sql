SELECT `t0`.`user_id` AS `c0`, `t0`.`project_id` AS `c1`, `t0`.`role` AS `c2`, `t1`.`id` AS `c3`, `t1`.`name` AS `c4`, `t2`.`id` AS `c5`, `t2`.`name` AS `c6`, `t2`.`email` AS `c7`
FROM `user_projects` AS `t0`
LEFT JOIN `projects` AS `t1` ON `t1`.`id` = `t0`.`project_id`
LEFT JOIN `users` AS `t2` ON `t2`.`id` = `t0`.`user_id`
ORDER BY `t0`.`user_id`, `t0`.`project_id`
