import { CreateThingCommand } from '@aws-sdk/client-iot';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { iotClientFor, sqsClientFor, ssmClientFor, TEST_CREDENTIALS, withEmulator } from '../helpers/aws.js';
import { requireDebianAwsCli, withDebianBotocore } from '../helpers/awscli.js';
import { failureOf } from './control-plane-fixtures.js';

/** The query-protocol client: the botocore of Debian's awscli package, whose SQS model still says `protocol: query`. */
const SQS_QUERY_SCRIPT = String.raw`
import json, os
from awscli.botocore.session import Session
sqs = Session().create_client('sqs', region_name=os.environ['REGION'], endpoint_url=os.environ['ENDPOINT'],
    aws_access_key_id=os.environ['KEY_ID'], aws_secret_access_key=os.environ['SECRET'])
out = {'protocol': sqs.meta.service_model.protocol}
def failure(call, **kwargs):
    try:
        call(**kwargs)
        return None
    except Exception as error:  # the modeled exception classes live in a generated module
        if not hasattr(error, 'response'):
            raise
        return [error.response['Error']['Code'], error.response['ResponseMetadata']['HTTPStatusCode']]
url = sqs.create_queue(QueueName='query-dlq', Attributes={'VisibilityTimeout': '40'})['QueueUrl']
out['url'] = url
out['sameAgain'] = sqs.create_queue(QueueName='query-dlq', Attributes={'VisibilityTimeout': '40'})['QueueUrl']
out['otherAttributes'] = failure(sqs.create_queue, QueueName='query-dlq', Attributes={'VisibilityTimeout': '41'})
out['missingQueue'] = failure(sqs.get_queue_url, QueueName='no-such-queue')
out['list'] = sqs.list_queues(QueueNamePrefix='query-').get('QueueUrls')
sent = sqs.send_message(QueueUrl=url, MessageBody='<event a="1">&amp; é</event>',
    MessageAttributes={'origin': {'DataType': 'String', 'StringValue': 'rule'}})
received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=['All'],
    MessageAttributeNames=['All'])['Messages']
out['sentId'] = sent['MessageId']
out['received'] = [{'id': m['MessageId'], 'body': m['Body'], 'count': m['Attributes']['ApproximateReceiveCount'],
    'origin': m['MessageAttributes']['origin']['StringValue']} for m in received]
out['attributes'] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['VisibilityTimeout', 'ApproximateNumberOfMessagesNotVisible'])['Attributes']
out['badHandle'] = failure(sqs.delete_message, QueueUrl=url, ReceiptHandle='not-a-handle')
sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]['ReceiptHandle'])
sqs.delete_queue(QueueUrl=url)
out['afterDelete'] = failure(sqs.get_queue_url, QueueName='query-dlq')
stranger = Session().create_client('sqs', region_name=os.environ['REGION'], endpoint_url=os.environ['ENDPOINT'],
    aws_access_key_id='AKIAUNKNOWNKEY000000', aws_secret_access_key='nope')
out['unknownKey'] = failure(stranger.list_queues)
print(json.dumps(out))
`;

describe('control plane: SQS over its query protocol (Debian awscli botocore)', () => {
  const local = withEmulator({ iam: 'on' });
  beforeAll(() => requireDebianAwsCli());

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-xml.html
  // (query requests: form-encoded Action=..., XML responses); error codes as the SQS model names them for the query
  // protocol: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html
  // (QueueDoesNotExist, "AWS.SimpleQueueService.NonExistentQueue"), API_CreateQueue.html (QueueNameExists,
  // "QueueAlreadyExists"), API_DeleteMessage.html (ReceiptHandleIsInvalid).
  it('serves create, list, send, receive, attributes and delete, with the query error codes', async () => {
    const { emulator } = local;
    const out = (await withDebianBotocore(SQS_QUERY_SCRIPT, {
      ENDPOINT: emulator.controlPlane,
      REGION: emulator.region,
      KEY_ID: TEST_CREDENTIALS.accessKeyId,
      SECRET: TEST_CREDENTIALS.secretAccessKey,
    })) as Record<string, unknown>;

    expect(out.protocol).toBe('query');
    expect(out.url).toBe(`${emulator.controlPlane}/${emulator.accountId}/query-dlq`);
    expect(out.sameAgain).toBe(out.url);
    expect(out.otherAttributes).toEqual(['QueueAlreadyExists', 400]);
    expect(out.missingQueue).toEqual(['AWS.SimpleQueueService.NonExistentQueue', 400]);
    expect(out.list).toEqual([out.url]);
    expect(out.received).toEqual([
      { id: out.sentId, body: '<event a="1">&amp; é</event>', count: '1', origin: 'rule' },
    ]);
    expect(out.attributes).toEqual({ VisibilityTimeout: '40', ApproximateNumberOfMessagesNotVisible: '1' });
    expect(out.badHandle).toEqual(['ReceiptHandleIsInvalid', 404]);
    expect(out.afterDelete).toEqual(['AWS.SimpleQueueService.NonExistentQueue', 400]);
    // IAM authorizes query requests too: an unknown access key is refused as the query protocol's common errors say.
    expect(out.unknownKey).toEqual(['InvalidClientTokenId', 403]);
  });

  // The same error in the JSON protocol (AWS JSON 1.0, what SDK v3 speaks): `QueueDoesNotExist`, with the query code in
  // x-amzn-query-error for query-compatible clients. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html
  it('names a missing queue QueueDoesNotExist in the JSON protocol', async () => {
    const failure = await failureOf(sqsClientFor(local.emulator).send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    expect(failure).toMatchObject({ name: 'QueueDoesNotExist', status: 400 });
    expect(failure.error.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
  });

  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html (ParameterAlreadyExists)
  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html (ParameterNotFound)
  it('names SSM errors as the SSM model does', async () => {
    const ssm = ssmClientFor(local.emulator);
    await ssm.send(new PutParameterCommand({ Name: '/codes/one', Value: 'v', Type: 'String' }));
    const exists = await failureOf(
      ssm.send(new PutParameterCommand({ Name: '/codes/one', Value: 'w', Type: 'String' })),
    );
    expect(exists).toMatchObject({ name: 'ParameterAlreadyExists', status: 400 });
    const missing = await failureOf(ssm.send(new GetParameterCommand({ Name: '/codes/none' })));
    expect(missing).toMatchObject({ name: 'ParameterNotFound', status: 400 });
  });
});

describe('control plane: throttling and internal errors, named per service', () => {
  const throttled = withEmulator({ faults: 'rate=1,ops=CreateThing|GetQueueUrl|GetParameter,kinds=throttle' });
  const failing = withEmulator({ faults: 'rate=1,ops=GetQueueUrl|GetParameter,kinds=500' });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateThing.html (ThrottlingException, HTTP 400)
  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html (ThrottlingException, 400)
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html (InternalFailure, 500) and
  // the SQS model's RequestThrottled (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html)
  it('throttles with HTTP 400: IoT and SSM ThrottlingException, SQS RequestThrottled', async () => {
    const { emulator } = throttled;
    const iot = await failureOf(
      iotClientFor(emulator, { maxAttempts: 1 }).send(new CreateThingCommand({ thingName: 't' })),
    );
    const ssm = await failureOf(
      ssmClientFor(emulator, { maxAttempts: 1 }).send(new GetParameterCommand({ Name: '/p' })),
    );
    const sqs = await failureOf(
      sqsClientFor(emulator, { maxAttempts: 1 }).send(new GetQueueUrlCommand({ QueueName: 'q' })),
    );
    expect([iot, ssm, sqs].map(({ name, status }) => [name, status])).toEqual([
      ['ThrottlingException', 400],
      ['ThrottlingException', 400],
      ['RequestThrottled', 400],
    ]);
  });

  // SSM: InternalServerError (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html);
  // SQS: InternalFailure (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
  it('fails internally with each service model name: SSM InternalServerError, SQS InternalFailure', async () => {
    const { emulator } = failing;
    const ssm = await failureOf(
      ssmClientFor(emulator, { maxAttempts: 1 }).send(new GetParameterCommand({ Name: '/p' })),
    );
    const sqs = await failureOf(
      sqsClientFor(emulator, { maxAttempts: 1 }).send(new GetQueueUrlCommand({ QueueName: 'q' })),
    );
    expect([ssm, sqs].map(({ name, status }) => [name, status])).toEqual([
      ['InternalServerError', 500],
      ['InternalFailure', 500],
    ]);
  });
});
