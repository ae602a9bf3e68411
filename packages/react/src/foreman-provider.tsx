import { createContext, type ReactNode, useContext, useMemo } from 'react';

export interface ForemanConfig {
  /** The api's base URL, e.g. `https://foreman.example.org`. */
  baseUrl: string;
  /**
   * The bearer token the hooks send unless given their own: in a browser, a read token minted for
   * the task (`POST /tasks/{id}/token`), never an api key.
   * @defaultValue none
   */
  token?: string | undefined;
  /**
   * The fetch the hooks send requests with.
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch | undefined;
}

const ForemanContext = createContext<ForemanConfig | undefined>(undefined);

/** Tells the hooks and `<TaskProgress>` below it where the api is. */
export function ForemanProvider({ children, ...config }: ForemanConfig & { children: ReactNode }) {
  const { baseUrl, token, fetch } = config;
  const value = useMemo(() => ({ baseUrl, token, fetch }), [baseUrl, token, fetch]);
  return <ForemanContext.Provider value={value}>{children}</ForemanContext.Provider>;
}

export function useForemanConfig(): ForemanConfig {
  const config = useContext(ForemanContext);
  if (!config) throw new Error('Foreman hooks need a <ForemanProvider baseUrl=…> above them');
  return config;
}
