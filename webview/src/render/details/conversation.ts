/**
 * An LLM span's prompt and reply as a conversation: one block per message with its role (System,
 * User, Assistant, Tool), its content as text (never HTML: prompts are attacker-controlled) cut with
 * "Show all", and the tool calls it asked for.
 */
import { roleLabel, type LlmConversation } from '../../layout/llmConversation';
import { longText, previewChars, type Sel } from '../longText';

export function conversationSection(parent: Sel, conversation: LlmConversation): void {
  const section = parent.append('section').attr('class', 'conversation-section');
  section.append('h3').text(`Conversation (${conversation.messages.length.toLocaleString('en-US')})`);
  const list = section.append('ol').attr('class', 'conversation').attr('aria-label', 'LLM messages');
  for (const message of conversation.messages) {
    const role = roleLabel(message.role);
    const item = list.append('li').attr('class', `message role-${/^[a-z]+$/.test(message.role) ? message.role : 'other'} message-${message.direction}`) as unknown as Sel;
    const head = item.append('div').attr('class', 'message-head');
    head.append('span').attr('class', 'message-role').text(role);
    if (message.name) head.append('span').attr('class', 'message-name').text(message.name);
    if (message.direction === 'output') head.append('span').attr('class', 'message-direction').text('reply');
    if (message.content !== '') longText(item, message.content, 'message-content', previewChars);
    for (const call of message.toolCalls ?? []) {
      const tool = item.append('div').attr('class', 'tool-call') as unknown as Sel;
      tool.append('span').attr('class', 'tool-call-name').text(`Calls ${call.name}${call.id ? ` (${call.id})` : ''}`);
      if (call.arguments !== '') longText(tool, call.arguments, 'tool-call-arguments', previewChars);
    }
  }
}
