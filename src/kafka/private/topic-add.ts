import { Problem } from './checks';
import { collisionKey, constructIdProblem } from './util';

/**
 * A topic `addTopic` may add next to the topics there are (`[id, name]` pairs): a valid id used
 * once, a name used once, and no collision in Kafka (`a.b` and `a_b`).
 */
export function topicAddProblem(id: string, name: string, topics: Array<[string, string]>): Problem | undefined {
  const bad = constructIdProblem('topic', id);
  if (bad) return { code: 'KafkaTopicIdInvalid', message: bad };
  if (topics.some(([i]) => i === id)) return { code: 'KafkaTopicIdDuplicate', message: `a topic with id '${id}' exists already; give each topic its own id` };
  for (const [otherId, other] of topics) {
    if (other === name) return { code: 'KafkaTopicDuplicate', message: `topic '${name}' is added twice (ids '${otherId}' and '${id}'); add it once` };
    // Kafka refuses a topic whose name equals another's once '.' is read as '_' (metric names).
    if (collisionKey(other) === collisionKey(name)) {
      return {
        code: 'KafkaTopicNameCollision',
        message: `topic '${name}' collides with topic '${other}' (id '${otherId}'): Kafka treats '.' and '_' as the same in topic names ` +
          'and refuses to create the second one; rename one of them',
      };
    }
  }
  return undefined;
}
