import type { OutgoingMail } from './mail.js';
import type { OrderReminderKind } from './order-deadlines.js';
import { describeOrderItems, type UpgradeLine, upgradeLineText } from './order-items.js';
import type { ConfirmationCredentials } from './order-secrets.js';
import type { Dealer, OrderItem } from './orders.js';

/** The order as its e-mails name it. */
export interface MailedOrder {
  readonly id: string;
  readonly productName: string;
  readonly items: readonly OrderItem[];
}

type Recipient = Pick<Dealer, 'name' | 'email' | 'login'>;

const bullet = (text: string) => `  • ${text}`;
const day = (instant: string) => instant.slice(0, 10);
const text = (...paragraphs: Array<string | readonly string[]>) =>
  `${paragraphs.map((p) => (typeof p === 'string' ? p : p.join('\n'))).join('\n\n')}\n`;

function requests(order: MailedOrder): string {
  return `This order requests ${describeOrderItems(order.items)} of ${order.productName}.`;
}

/** A recognizable name for each key's upgrade file, so several downloads are told apart. */
export function upgradeFileName(serial: string): string {
  return `KeyUpgrade-${serial}.dat`;
}

/** Sent when the vendor authorizes an order: where to process it, how to log in, and the order. */
export function orderAuthorizedMail(input: {
  readonly dealer: Recipient;
  readonly order: MailedOrder;
  readonly authorizationNumber: string;
  readonly expiresAt: string;
  readonly portalUrl: string;
}): OutgoingMail {
  const { dealer, order } = input;
  return {
    to: dealer.email,
    subject: `Order ${order.id} is ready to be processed`,
    text: text(
      `Dear ${dealer.name},`,
      `Your order is ready to be processed. Please go to ${input.portalUrl} to upgrade your key's license.`,
      [
        'Login Information:',
        bullet(`Username: ${dealer.login}`),
        bullet('Password: the password of your dealer account (it is never sent by e-mail)'),
        'Order Information:',
        bullet(
          `Order ID: ${order.id} (authorization number: ${input.authorizationNumber}). ${requests(order)}`,
        ),
      ],
      `Please process the order by ${day(input.expiresAt)}: an order not processed within two weeks of this e-mail expires and is cancelled.`,
    ),
    attachments: [],
  };
}

/**
 * Sent when an order has been processed into an upgrade file: a copy of the file, in case the
 * one downloaded was damaged on its way, and the credentials to look the order up again.
 */
export function upgradeFileMail(input: {
  readonly dealer: Recipient;
  readonly order: MailedOrder;
  readonly serial: string;
  readonly formatVersion: number;
  readonly lines: readonly UpgradeLine[];
  readonly confirmation: ConfirmationCredentials;
  readonly file: string;
  readonly portalUrl: string;
}): OutgoingMail {
  const { dealer, order, serial } = input;
  const fileName = upgradeFileName(serial);
  return {
    to: dealer.email,
    subject: `Upgrade file for key ${serial} (order ${order.id})`,
    text: text(
      `Your license key's upgrade data file is attached. Please upgrade your key's license with the attached file (${fileName}).`,
      ['Key Info:', bullet(`Format version: ${input.formatVersion}`), bullet(`Serial number: ${serial}`)],
      ['License Upgrade Info:', ...input.lines.map((line) => bullet(upgradeLineText(line, input.lines)))],
      [
        'Confirmation Info:',
        bullet(`Username: ${input.confirmation.login}`),
        bullet(`Password: ${input.confirmation.password}`),
      ],
      `If you have any problem with upgrading your key's license, please confirm it online at ${input.portalUrl} using the username and password above.`,
      `If the upgrade file you downloaded fails, apply this copy instead: in the key status utility, choose Upgrade and select ${fileName} (keyward key apply ${fileName}).`,
    ),
    attachments: [
      {
        filename: fileName,
        contentType: 'application/octet-stream',
        content: Buffer.from(input.file, 'utf8').toString('base64'),
      },
    ],
  };
}

const REMINDER_WORDS: Readonly<Record<OrderReminderKind, string>> = {
  'one-week': 'one week',
  'one-day': 'one day',
};

/** Sent one week and one day before an authorized order expires unprocessed. */
export function orderReminderMail(input: {
  readonly dealer: Recipient;
  readonly order: MailedOrder;
  readonly reminder: OrderReminderKind;
  readonly expiresAt: string;
  readonly portalUrl: string;
}): OutgoingMail {
  const { dealer, order } = input;
  const when = REMINDER_WORDS[input.reminder];
  return {
    to: dealer.email,
    subject: `Your order ${order.id} will expire in ${when}`,
    text: text(
      `Dear ${dealer.name},`,
      `Your order will expire in ${when}, on ${day(input.expiresAt)}. It has not been processed yet.`,
      [bullet(`Order ID: ${order.id}. ${requests(order)}`)],
      `To process it, go to ${input.portalUrl} and log in as ${dealer.login}. An order not processed by then is cancelled and not invoiced.`,
    ),
    attachments: [],
  };
}

/** Sent when an authorized order expired unprocessed. */
export function orderExpiredMail(input: {
  readonly dealer: Recipient;
  readonly order: MailedOrder;
}): OutgoingMail {
  const { dealer, order } = input;
  return {
    to: dealer.email,
    subject: `Your order ${order.id} has expired`,
    text: text(
      `Dear ${dealer.name},`,
      'Your order has expired and has been cancelled. You will not be invoiced for the cancelled order. If you still wish to add licenses, you must place a new order.',
      [bullet(`Order ID: ${order.id}. ${requests(order)}`)],
    ),
    attachments: [],
  };
}
