// Parses WWW-Authenticate (RFC 7235): one or more challenges, each a scheme
// followed by comma-separated auth-params whose values may be quoted strings.
// Registries send `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`.

export interface Challenge {
  /** Lower case: "bearer", "basic", ... */
  scheme: string;
  /** Parameter names in lower case. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header;
  let current: Challenge | undefined;
  const skip = (pattern: RegExp) => {
    rest = rest.replace(pattern, '');
  };
  skip(/^[\s,]+/);
  while (rest !== '') {
    const token = TOKEN.exec(rest)?.[0];
    if (token === undefined) break;
    const afterToken = rest.slice(token.length);
    const param = /^\s*=\s*/.exec(afterToken);
    if (param && current) {
      // name=value
      rest = afterToken.slice(param[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        let index = 1;
        value = '';
        while (index < rest.length && rest[index] !== '"') {
          if (rest[index] === '\\' && index + 1 < rest.length) index++;
          value += rest[index];
          index++;
        }
        rest = rest.slice(index + 1);
      } else {
        // RFC 7235 wants a token here, but servers send bare URLs too: read up to the next comma.
        value = /^[^\s,]*/.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      current.params[token.toLowerCase()] = value;
    } else {
      // A new scheme. (token68 credentials, as in `Negotiate abc==`, are not used by registries.)
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
      rest = afterToken;
    }
    skip(/^[\s,]+/);
  }
  return challenges;
}
