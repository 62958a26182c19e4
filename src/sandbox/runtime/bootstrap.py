"""The Lambda Canary sandbox's Python runtime: a Lambda Runtime API client (standard library only).

Started by the sandbox as `python3 bootstrap.py` with the Lambda environment (_HANDLER,
LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, ...), the code folder as its working directory. It loads
the handler `pkg.module.func` from LAMBDA_TASK_ROOT, then serves one invocation at a time over the
Runtime API, reporting results and errors in the shapes Lambda's Python runtime uses.
"""

import decimal
import http.client
import importlib
import json
import logging
import os
import re
import sys
import time
import traceback

ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
API = "/2018-06-01/runtime"
UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, or can be applied automatically. "
    "To determine if the runtime has been updated, check the runtime version in the INIT_START log entry. "
    "If this error correlates with a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the previous runtime version. "
    "For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


def parse_handler(handler):
    """'pkg.module.func' -> ('pkg.module', 'func'); 'dir/module.func' imports dir.module."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, e))
    return modname, fname


def load_handler(handler):
    modname, fname = parse_handler(handler)
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(FaultException.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname))


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_frames(tb):
    """The traceback without this file's own frames (the handler's call from here)."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    own = os.path.abspath(__file__)
    for i, frame in enumerate(frames):
        if os.path.abspath(frame[0]) != own:
            return frames[i:]
    return []


def error_of(exc_info, request_id=None):
    etype, value, tb = exc_info
    return make_error(str(value), etype.__name__, traceback.format_list(user_frames(tb)), request_id)


def log_error(error):
    """As Lambda's Python runtime logs an error: one record, its lines joined by \\r."""
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
            else:
                for line in element.splitlines():
                    stripped = line.lstrip(" ")
                    lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")


# A Decimal is written as its str(), a bare JSON number (Infinity as AWS writes it, NaN as NaN), as
# Lambda's runtime client writes it with simplejson's RawJSON. The standard json module has no raw
# values: each Decimal becomes a marker string, replaced by its text after encoding.
DECIMAL_MARK = "\u0000decimal-" + os.urandom(8).hex() + "-"
DECIMAL_TOKEN = re.compile('"' + re.escape(json.dumps(DECIMAL_MARK)[1:-1]) + '(\\d+)"')


class Encoder(json.JSONEncoder):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.decimals = []

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            self.decimals.append("NaN" if o.is_nan() else str(o))
            return DECIMAL_MARK + str(len(self.decimals) - 1)
        return super().default(o)


def to_json(value):
    # Lambda's python3.12 and later runtimes write non-ASCII characters as they are.
    ascii_only = os.environ.get("AWS_EXECUTION_ENV", "") in ("AWS_Lambda_python3.8", "AWS_Lambda_python3.9", "AWS_Lambda_python3.10", "AWS_Lambda_python3.11")
    encoder = Encoder(ensure_ascii=ascii_only, allow_nan=True)
    text = encoder.encode(value)
    if not encoder.decimals:
        return text
    return DECIMAL_TOKEN.sub(lambda m: encoder.decimals[int(m.group(1))], text)


class LambdaContext(object):
    def __init__(self, request_id, client_context, deadline_ms, invoked_function_arn):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = Record(client_context, ("custom", "env", "client")) if client_context is not None else None
        if self.client_context is not None:
            client = self.client_context.client
            self.client_context.client = (
                Record(client, ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"))
                if isinstance(client, dict)
                else None
            )
        self.identity = Record({}, ("cognito_identity_id", "cognito_identity_pool_id"))
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        delta = self._deadline_ms - int(time.time() * 1000)
        return delta if delta > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))


class Record(object):
    def __init__(self, values, fields):
        for field in fields:
            setattr(self, field, values.get(field) if isinstance(values, dict) else None)


class Unbuffered(object):
    """Every write reaches the sandbox at once, as on Lambda (the log is a pipe here)."""

    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class RuntimeClient(object):
    def __init__(self, address):
        self.address = address
        self.connection = None

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.address)
            try:
                self.connection.request(method, path, body, headers or {})
                response = self.connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise

    def next(self):
        status, headers, body = self.call("GET", API + "/invocation/next")
        if status != 200:
            raise RuntimeError("the Runtime API answered /next with {}: {}".format(status, body[:200]))
        return {k.lower(): v for k, v in headers}, body

    def post(self, path, body, content_type="application/json", error_type=None):
        headers = {"Content-Type": content_type}
        if error_type:
            headers[ERROR_TYPE_HEADER] = error_type
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.call("POST", API + path, data, headers)


request_id_now = ""


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = request_id_now
        return True


def setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.terminator = ""
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:
        root.setLevel(level)


def handle(client, handler, headers, body):
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    error = None
    try:
        client_context = None
        raw_context = headers.get("lambda-runtime-client-context")
        if raw_context:
            try:
                client_context = json.loads(raw_context)
            except Exception as e:
                raise FaultException(FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR, "Unable to parse Client Context JSON: {}".format(e))
        context = LambdaContext(
            request_id,
            client_context,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
        )
        try:
            event = json.loads(body)
        except Exception as e:
            raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(e))
        result = handler(event, context)
        if isinstance(result, bytes):
            payload, content_type = result, "application/unknown"
        else:
            try:
                payload, content_type = to_json(result), "application/json"
            except Exception as e:
                raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(e))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception:
        error = error_of(sys.exc_info(), request_id)
    if error is not None:
        log_error(error)
        client.post("/invocation/{}/error".format(request_id), to_json(error), error_type=error["errorType"])
    else:
        client.post("/invocation/{}/response".format(request_id), payload, content_type)


def main():
    global request_id_now
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    # The handler's modules come from the code folder, not from beside this file.
    if sys.path and os.path.dirname(os.path.abspath(__file__)) == os.path.abspath(sys.path[0] or "."):
        sys.path[0] = task_root
    else:
        sys.path.insert(0, task_root)
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    setup_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        error = error_of(sys.exc_info())
    else:
        error = None
    if error is not None:
        logging.warning(UNHANDLED_WARNING)
        log_error(error)
        client.post("/init/error", to_json(error), error_type=error["errorType"])
        sys.exit(1)
    while True:
        headers, body = client.next()
        request_id_now = headers.get("lambda-runtime-aws-request-id", "")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        handle(client, handler, headers, body)


if __name__ == "__main__":
    main()
