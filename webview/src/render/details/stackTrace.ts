/**
 * The span's stack traces as lists of frames, from the server's source lookup: a frame that maps
 * into the workspace is a button opening that line, other frames are text, library frames dimmed
 * (and said so in words). `problem` explains why nothing, or only a caller, mapped.
 */
import type { SourceLocation, SourceLocationsRequest } from '../../../../src/shared/lspProtocol';
import { frameLabel, locationPath, sourceView, type FrameRow } from '../../layout/stackFrames';
import type { Sel } from '../longText';

function locationButton(parent: Sel, location: SourceLocation, text: string, open: (l: SourceLocation) => void): void {
  parent
    .append('button')
    .attr('type', 'button')
    .attr('class', 'link-button inline frame-link')
    .attr('title', `Open ${locationPath(location)}:${location.range.start.line + 1}`)
    .text(text)
    .on('click', () => open(location));
}

function frameItem(list: Sel, row: FrameRow, open: (l: SourceLocation) => void): void {
  const { frame, locations } = row;
  const item = list.append('li').attr('class', `stack-frame${frame.isUserCode ? ' user-frame' : ' library-frame'}${locations.length > 0 ? ' mapped' : ''}`) as unknown as Sel;
  const label = frameLabel(frame);
  const [best, ...copies] = locations;
  if (best) locationButton(item, best, label, open);
  else item.append('span').attr('class', 'frame-label').text(label);
  for (const [i, copy] of copies.entries()) locationButton(item, copy, `copy ${i + 2}`, open);
  if (!frame.isUserCode) item.append('span').attr('class', 'frame-kind').text(' (library)');
  if (frame.text) item.append('code').attr('class', 'frame-text').text(frame.text);
}

export function stackTraceSection(parent: Sel, source: NonNullable<SourceLocationsRequest.Result>, open: (location: SourceLocation) => void): void {
  const view = sourceView(source);
  if (view.stacks.length === 0 && source.locations.length === 0 && !source.problem) return;
  const section = parent.append('section').attr('class', 'stack-traces');
  section.append('h3').text(view.stacks.length > 1 ? `Stack traces (${view.stacks.length})` : 'Stack trace');
  if (source.exception) section.append('p').attr('class', 'source-exception').text(source.exception);
  if (source.problem) section.append('p').attr('class', 'source-problem').attr('role', 'note').text(source.problem);
  if (view.otherLocations.length > 0) {
    const others = section.append('div').attr('class', 'source-locations') as unknown as Sel;
    for (const location of view.otherLocations) locationButton(others, location, location.label, open);
  }
  // One `.stacktrace` element for all stacks: the place the raw stack trace used to be.
  const stacks = section.append('div').attr('class', 'stacktrace stacks') as unknown as Sel;
  for (const stack of view.stacks) {
    const block = stacks.append('div').attr('class', 'stack') as unknown as Sel;
    block.append('h4').text(stack.title);
    const list = block.append('ol').attr('class', 'stack-frames') as unknown as Sel;
    for (const row of stack.frames) frameItem(list, row, open);
  }
}
