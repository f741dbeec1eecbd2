// Run one SPARQL query with Comunica (@comunica/query-sparql, from npm) and print the result:
// SPARQL JSON for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE.
// usage: node comunica.mjs QUERY SOURCE [SOURCE...]; a source "sparql@URL" is a SPARQL endpoint,
// "turtle@TEXT" is a Turtle document given inline (a "local file"), any other URL is
// dereferenced (a linked-data document, a Triple Pattern Fragments interface).
import { QueryEngine } from '@comunica/query-sparql';

const [query, ...sources] = process.argv.slice(2);
const engine = new QueryEngine();
const context = {
  sources: sources.map((s) => {
    if (s.startsWith('sparql@')) return { type: 'sparql', value: s.slice(7) };
    if (s.startsWith('turtle@')) return { type: 'serialized', value: s.slice(7), mediaType: 'text/turtle' };
    return s;
  }),
  lenient: false,
};
const result = await engine.query(query, context);
const media = result.resultType === 'quads' ? 'application/n-triples' : 'application/sparql-results+json';
const { data } = await engine.resultToString(result, media);
data.on('error', (e) => { console.error(String(e)); process.exit(1); });
data.pipe(process.stdout);
