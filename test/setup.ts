/**
 * Mocha setup for the Node suites. The SDK warns once per process that its 2027 releases will
 * need Node 22; that is known (see README, "Requirements") and only clutters test output.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
