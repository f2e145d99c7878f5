export {
  applyChatTemplate,
  CHATML_TEMPLATE,
  type ChatMessage,
  ChatTemplate,
  type ChatTemplateOptions,
  loadChatTemplate,
  type TokenizerConfigLike,
} from './template.js';
