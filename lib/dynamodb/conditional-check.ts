/** Whether a DynamoDB write was refused on its condition: the one failure the stores answer, not throw. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** Whether `error` is DynamoDB's refusal of a write on its ConditionExpression (by class, or by name across SDK copies). */
export function isConditionalCheckFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: unknown })?.name === 'ConditionalCheckFailedException'
  );
}
