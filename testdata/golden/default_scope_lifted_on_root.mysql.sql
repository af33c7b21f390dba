SELECT `t0`.`id` AS `c0`, `t0`.`commentable` AS `c1`, `t0`.`commentable_id` AS `c2`, `t0`.`body` AS `c3`, `t0`.`deleted_at` AS `c4`
FROM `p_comments` AS `t0`
WHERE `t0`.`commentable` = ?
ORDER BY `t0`.`id`
-- arg 1: "post"
