/**
 * Ride Hailer: the example custom skill. A user who linked their ride account can order a ride;
 * Help and Stop work for everybody. The account-linking gate does the rest: it speaks the user's
 * language, and with `voiceLinking` on, links an account by voice and hands the skill the linked
 * user when Alexa resumes the session.
 */
import {
  getIntentName,
  getRequestType,
  getSlotValue,
  SkillBuilders,
  type ErrorHandler,
  type RequestHandler,
} from 'ask-sdk-core';
import type { LinkedUser, LinkedUserAccessors, Logger, TokenVerifier } from '../../lib';
import { accountLinking, getVoiceLinkingResult, withAccountLinking, type CustomGateOptions } from '../../lib';

type Riders = LinkedUserAccessors<LinkedUser>;

/** The linked user's name, from the token's `name` claim, else nothing. */
function nameOf(user: LinkedUser): string | undefined {
  const name = user.claims.name;
  return typeof name === 'string' && name.trim() !== '' ? name : undefined;
}

function launchHandler(riders: Riders): RequestHandler {
  return {
    canHandle: (input) => getRequestType(input.requestEnvelope) === 'LaunchRequest',
    handle(input) {
      const name = nameOf(riders.getLinkedUser(input));
      return input.responseBuilder
        .speak(`Welcome to Ride Hailer${name ? `, ${name}` : ''}. Where would you like to go?`)
        .reprompt('Where would you like to go?')
        .getResponse();
    },
  };
}

/**
 * The session resumed after voice-forward account linking, and the gate let it through: the
 * account is linked and the token checked out. The ride the user asked for had its slots in the
 * request Alexa no longer holds, so the skill asks again where to go.
 */
function voiceLinkedHandler(riders: Riders): RequestHandler {
  return {
    canHandle: (input) => getVoiceLinkingResult(input) !== undefined,
    handle(input) {
      const name = nameOf(riders.getLinkedUser(input));
      return input.responseBuilder
        .speak(`Your ride account is linked${name ? `, ${name}` : ''}. Where would you like to go?`)
        .reprompt('Where would you like to go?')
        .getResponse();
    },
  };
}

function orderRideHandler(riders: Riders): RequestHandler {
  return {
    canHandle: (input) =>
      getRequestType(input.requestEnvelope) === 'IntentRequest' &&
      getIntentName(input.requestEnvelope) === 'OrderRideIntent',
    handle(input) {
      const user = riders.getLinkedUser(input);
      const destination = getSlotValue(input.requestEnvelope, 'destination');
      if (!destination) {
        return input.responseBuilder.speak('Where would you like to go?').reprompt('Where to?').getResponse();
      }
      const name = nameOf(user);
      return input.responseBuilder
        .speak(`OK${name ? ` ${name}` : ''}, a car is on its way to take you to ${destination}.`)
        .withSimpleCard('Ride ordered', `Destination: ${destination}`)
        .withShouldEndSession(true)
        .getResponse();
    },
  };
}

const HelpHandler: RequestHandler = {
  canHandle: (input) =>
    getRequestType(input.requestEnvelope) === 'IntentRequest' &&
    getIntentName(input.requestEnvelope) === 'AMAZON.HelpIntent',
  handle: (input) =>
    input.responseBuilder
      .speak('You can say: order a ride to the airport. To order rides, link your ride account in the Alexa app.')
      .reprompt('Where would you like to go?')
      .getResponse(),
};

const StopHandler: RequestHandler = {
  canHandle: (input) =>
    getRequestType(input.requestEnvelope) === 'IntentRequest' &&
    ['AMAZON.StopIntent', 'AMAZON.CancelIntent', 'AMAZON.NavigateHomeIntent'].includes(
      getIntentName(input.requestEnvelope),
    ),
  handle: (input) => input.responseBuilder.speak('Goodbye.').withShouldEndSession(true).getResponse(),
};

const CanFulfillHandler: RequestHandler = {
  canHandle: (input) => getRequestType(input.requestEnvelope) === 'CanFulfillIntentRequest',
  handle(input) {
    const intent = (input.requestEnvelope.request as { intent?: { name?: string } }).intent;
    const canFulfill = intent?.name === 'OrderRideIntent' ? 'YES' : 'NO';
    return input.responseBuilder.withCanFulfillIntent({ canFulfill }).getResponse();
  },
};

/** Requests that may not speak: AudioPlayer and PlaybackController events, SessionEnded, skill events. */
function silentHandler(logger: Logger): RequestHandler {
  return {
    canHandle: (input) => {
      const type = getRequestType(input.requestEnvelope);
      return (
        type === 'SessionEndedRequest' ||
        type.startsWith('AudioPlayer.') ||
        type.startsWith('PlaybackController.') ||
        type.startsWith('AlexaSkillEvent.')
      );
    },
    handle(input) {
      logger.info('ride hailer: event', { requestType: getRequestType(input.requestEnvelope) });
      return input.responseBuilder.getResponse();
    },
  };
}

function catchAll(logger: Logger): ErrorHandler {
  return {
    canHandle: () => true,
    handle(input, error) {
      logger.error('ride hailer: unhandled error', { errorName: error.name });
      return input.responseBuilder
        .speak('Sorry, something went wrong. Please try again.')
        .withShouldEndSession(true)
        .getResponse();
    },
  };
}

export interface RideHailerOptions extends Omit<CustomGateOptions<LinkedUser>, 'verifier' | 'logger'> {
  verifier: TokenVerifier<LinkedUser>;
  logger: Logger;
  skillId?: string | undefined;
}

export function createRideHailerSkill(options: RideHailerOptions) {
  const { skillId, ...gate } = options;
  const riders = accountLinking(gate);
  const builder = withAccountLinking(SkillBuilders.custom(), riders)
    .addRequestHandlers(
      launchHandler(riders),
      voiceLinkedHandler(riders),
      orderRideHandler(riders),
      HelpHandler,
      StopHandler,
      CanFulfillHandler,
      silentHandler(options.logger),
    )
    .addErrorHandlers(catchAll(options.logger));
  if (skillId) builder.withSkillId(skillId);
  return builder.create();
}
