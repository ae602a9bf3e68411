import { GlobalRegistrator } from '@happy-dom/global-registrator';

// happy-dom brings document and window for React; Node keeps its own networking and streams
// (happy-dom's fetch would not stream an event source, and its signals are foreign to Node's fetch).
const node = { fetch, Request, Response, Headers, AbortController, AbortSignal, ReadableStream, TextDecoder };
GlobalRegistrator.register({ url: 'http://app.example.test/' });
Object.assign(globalThis, node);
Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true });
