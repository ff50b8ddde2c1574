import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LoginRequiredException } from './dashboard-auth.guard';

@Catch(LoginRequiredException)
export class LoginRequiredFilter implements ExceptionFilter {
  catch(_: LoginRequiredException, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().status(303).redirect('/dashboard/login');
  }
}
