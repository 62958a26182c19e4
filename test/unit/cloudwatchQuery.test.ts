import assert from 'node:assert/strict';
import { parseQueryRequest, queryErrorResponse, queryResponse, xmlText } from '../../src/sandbox/cloudwatchQuery';
import { AwsError } from '../../src/sandbox/errors';

describe('CloudWatch Query protocol codec', () => {
  it('decodes botocore\'s flattened lists and nested members into the JSON protocol\'s input', () => {
    const body = new URLSearchParams({
      Action: 'GetMetricData',
      Version: '2010-08-01',
      'MetricDataQueries.member.1.Id': 'm',
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'AWS/Lambda',
      'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'Errors',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name': 'FunctionName',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': 'a b+c',
      'MetricDataQueries.member.1.MetricStat.Period': '60',
      'MetricDataQueries.member.1.MetricStat.Stat': 'Sum',
      'MetricDataQueries.member.1.ReturnData': 'false',
      'MetricDataQueries.member.2.Id': 'e',
      'MetricDataQueries.member.2.Expression': 'FILL(m, 0)',
      StartTime: '2026-12-01T09:00:00Z',
      EndTime: '2026-12-01T10:00:00.500+01:00',
    }).toString();
    assert.deepEqual(parseQueryRequest(body), {
      action: 'GetMetricData',
      input: {
        MetricDataQueries: [
          { Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'a b+c' }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
          { Id: 'e', Expression: 'FILL(m, 0)' },
        ],
        StartTime: new Date(Date.UTC(2026, 11, 1, 9)),
        EndTime: new Date(Date.UTC(2026, 11, 1, 9, 0, 0, 500)),
      },
    });
    assert.deepEqual(parseQueryRequest('Action=ListMetrics&Version=2010-08-01&Dimensions=').input, { Dimensions: [] }, 'an empty list');
  });

  it('encodes the output in the model\'s member order, timestamps in ISO 8601, lists as member elements', () => {
    const xml = queryResponse('GetMetricData', { Messages: [], MetricDataResults: [{ Values: [1.5, 2], Timestamps: [1796115600, 1796115660.5], Label: 'a&b', Id: 'm', StatusCode: 'Complete', Messages: [] }] }, 'rid');
    assert.equal(
      xml,
      '<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults><member><Id>m</Id><Label>a&amp;b</Label><Timestamps><member>2026-12-01T09:00:00Z</member><member>2026-12-01T09:01:00.500Z</member></Timestamps><Values><member>1.5</member><member>2</member></Values><StatusCode>Complete</StatusCode><Messages></Messages></member></MetricDataResults><Messages></Messages></GetMetricDataResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetMetricDataResponse>',
    );
  });

  it('error replies: Sender for 4xx, Receiver for 5xx, text escaped', () => {
    assert.equal(
      queryErrorResponse(new AwsError('ValidationError', 400, 'x < y'), 'r'),
      '<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>x &lt; y</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    );
    assert.match(queryErrorResponse(new AwsError('ServiceException', 500, 'boom'), 'r'), /<Type>Receiver<\/Type>/);
  });

  it('xmlText escapes markup, keeps CR, and replaces what XML 1.0 cannot carry', () => {
    assert.equal(xmlText(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    assert.equal(xmlText('a\r\nb\tc'), 'a&#13;\nb\tc');
    assert.equal(xmlText('\u0000\u0008\u000B\u001F\uFFFE\uFFFF'), '\uFFFD'.repeat(6));
    assert.equal(xmlText('\uD83D\uDE00'), '\uD83D\uDE00', 'a surrogate pair is one character');
    assert.equal(xmlText('x\uD83Dy\uDE00'), 'x\uFFFDy\uFFFD', 'lone surrogates are not');
    assert.equal(xmlText('plain ü €'), 'plain ü €');
  });
});
