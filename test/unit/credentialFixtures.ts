/** Credentials shaped like AWS's (none of them real), and the messages AWS echoes them in. */

/** An STS session token as AWS issues them: base64, several hundred characters. */
export const SESSION_TOKEN =
  'IQoJb3JpZ2luX2VjEHAaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexampleAiAv8gx1Ap+Xb/7Qm4MbKo' +
  'Kp8CCMn//////////wEQABoMMTIzNDU2Nzg5MDEyIgzS5jkexampleexampleexampleexamplexW1pZXhhbXBsZWV4YW1wbGVl' +
  'eGFtcGxlZXhhbXBsZWV4YW1wbGUrZXhhbXBsZS9leGFtcGxlZXhhbXBsZWV4YW1wbGVleGFtcGxlZXhhbXBsZWV4YW1wbGU9PQ==';
export const ACCESS_KEY_ID = 'ASIAZ3EXAMPLE7QWERTY';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const SIGNATURE = 'e01717a2e53c3aa47bbf37e60ed285d83f2c6c8e3db99e192c83b6ec476ba7cd';

/**
 * The message Lambda answers a request with a wrong signature (InvalidSignatureException, 403):
 * it quotes the canonical request it computed — the session token header included — and the
 * string to sign.
 */
export function invalidSignatureMessage(token = SESSION_TOKEN): string {
  return (
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n' +
    "The Canonical String for this request should have been\n'PUT\n/2015-03-31/functions/checkout-api/aliases/prod\n\n" +
    'content-type:application/json\nhost:lambda.us-east-1.amazonaws.com\nx-amz-content-sha256:a0e4deb554005fd78596b12837036e3b0eb5804bb2f824d680a274ef42ef2df7\n' +
    `x-amz-date:20261201T083000Z\nx-amz-security-token:${token}\n\n` +
    "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token\na0e4deb554005fd78596b12837036e3b0eb5804bb2f824d680a274ef42ef2df7'\n\n" +
    "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261201T083000Z\n20261201/us-east-1/lambda/aws4_request\n23d10faba2ba9758d06ae91c4508d73b8501462c8792390f1da605cc12a2d787'\n"
  );
}


/** The reply STS gives to AssumeRole (XML, as the Query protocol answers). */
export function stsAssumeRoleReply(): string {
  return (
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <AssumeRoleResult>\n' +
    '    <AssumedRoleUser>\n      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:deploy</AssumedRoleId>\n' +
    '      <Arn>arn:aws:sts::123456789012:assumed-role/deployer/deploy</Arn>\n    </AssumedRoleUser>\n' +
    `    <Credentials>\n      <AccessKeyId>${ACCESS_KEY_ID}</AccessKeyId>\n      <SecretAccessKey>${SECRET}</SecretAccessKey>\n` +
    `      <SessionToken>${SESSION_TOKEN}</SessionToken>\n      <Expiration>2026-12-01T10:00:00Z</Expiration>\n    </Credentials>\n` +
    '  </AssumeRoleResult>\n  <ResponseMetadata>\n    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n'
  );
}

/** A short session token, too short for the long-run rule: only its name can give it away. */
export const SHORT_TOKEN = 'FwoGZXIvYXdzEXAMPLEshortTOKEN0123';
