import { STATUS_CODES, type Server } from 'node:http';
import { httpStatusOf } from '@pourover/protocol';
import { errorBody } from './responses.ts';

/**
 * Answers, typed, the requests Node refuses before any handler runs: a
 * request line or headers too large, one that took longer than
 * `requestTimeoutMs` to arrive, or one that is not HTTP.
 */
export function answerClientErrors(server: Server, requestTimeoutMs: number) {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const body =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? errorBody('TOO_LARGE', 'the request line and headers exceed the server limit')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? errorBody('BAD_INPUT', `the request did not arrive within ${requestTimeoutMs / 1000} s`)
          : errorBody('BAD_INPUT', 'malformed HTTP request');
    const status = httpStatusOf[body.error.data.code];
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });
}
