// Report formats, loaded on demand so `rootlock --version` stays fast.
import type { Renderer, StreamRenderer } from './model.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export async function loadRenderer(format: ReportFormat): Promise<Renderer> {
  switch (format) {
    case 'text': return (await import('./text.js')).renderText;
    case 'json': return (await import('./json.js')).renderJson;
    case 'sarif': return (await import('./sarif.js')).renderSarif;
    case 'junit': return (await import('./junit.js')).renderJunit;
    case 'markdown': return (await import('./markdown.js')).renderMarkdown;
    case 'html': return (await import('./model.js')).wholeRenderer((await import('../dashboard/html.js')).streamHtml);
  }
}

/** The streaming renderer of a format: the report in pieces, for reports too large to build whole. */
export async function loadStreamRenderer(format: ReportFormat): Promise<StreamRenderer> {
  switch (format) {
    case 'text': return (await import('./text.js')).streamText;
    case 'json': return (await import('./json.js')).streamJson;
    case 'sarif': return (await import('./sarif.js')).streamSarif;
    case 'junit': return (await import('./junit.js')).streamJunit;
    case 'markdown': return (await import('./markdown.js')).streamMarkdown;
    case 'html': return (await import('../dashboard/html.js')).streamHtml;
  }
}
